"""Official data formats → canonical tables."""
