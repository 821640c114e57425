"""Ancrage: services, activities, clients and accountability for newcomer integration in Montréal."""

__version__ = "0.1.0"
