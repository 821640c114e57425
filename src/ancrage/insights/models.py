"""Overlap between services, activities and projects; coverage gaps; partnership suggestions."""
