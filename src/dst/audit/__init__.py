"""The append-only audit trail of who read or changed a Veteran's DST record."""
