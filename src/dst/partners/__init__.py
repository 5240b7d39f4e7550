"""Partner systems DST reads from: one sub-package per partner (client, fake, wire format)."""
