"""Raw behaviour videos to tracks: decode (PyAV), background, detection, tracking, QC.

``neuroprotect behavior track VIDEO...`` is the command; :func:`track_source` the function.
"""
