"""Media: photos, recordings and documents uploaded to the platform, checked by content."""
