"""The Voilà app site teams use. Importing it loads neither pandas nor Altair."""

from .app import SiteApp

__all__ = ["SiteApp"]
