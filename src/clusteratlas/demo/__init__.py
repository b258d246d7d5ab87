"""The embedded demo: Baden-Württemberg's districts, a synthetic panel and real initiative facts."""
