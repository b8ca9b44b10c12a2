"""What the dashboards, exports and official reports share: the day figures, small-cell
suppression, the groups every count uses, and who may read figures."""
