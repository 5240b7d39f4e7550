"""Operations console: staged rollout by station, maintenance windows, outage notices, mapping overrides."""
