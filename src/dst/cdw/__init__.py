"""The CDW source the ETL jobs read: its expected views, the aggregation SQL and the demo source."""
