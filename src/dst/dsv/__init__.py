"""Decision Support Viewer: read-only community-care facts for Oracle Health sites, opened by SMART launch."""
