"""Data exchange with spreadsheets: export, import, and new records."""
