"""The dashboards: an area's figures over a period, charted, and the records behind a count."""
