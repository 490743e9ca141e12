"""sahel_sim: what happens to security in Mali and the Sahel when a UN peacekeeping force withdraws."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sahel_sim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
