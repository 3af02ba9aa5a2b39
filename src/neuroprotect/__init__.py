"""neuroprotect: a workbench for preclinical neuroprotection studies."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("neuroprotect")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
