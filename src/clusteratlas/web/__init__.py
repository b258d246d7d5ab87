"""Server-rendered atlas pages; assets are served by the app itself (no CDN)."""
