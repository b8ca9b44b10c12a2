"""List exports to CSV and Excel, answered at once or written by a background job."""
