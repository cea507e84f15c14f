# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-rnn's Python side: export PyTorch recurrent models for the `rnn`
element, and read what a model file holds.

    from gst_rnn import export              # needs python3-torch
    export(gru, "model.safetensors", head=fc, head_activation="softmax",
           labels=["speech", "music", "noise"])      # or "model.onnx"

    from gst_rnn import read_model          # standard library only
    info = read_model("model.safetensors")
    info.cell, info.input_size, info.labels, info.settings, info.precision

Modules: gst_rnn.exporter (export(), run_settings(), pooled_forward() and
the command line; PyTorch, numpy), gst_rnn.check (its optional check:
check_file(), check_pooling(), through gst-launch-1.0 and the rnn
element), gst_rnn.frontend (frontend_metadata(): torchaudio transforms as
rnn.frontend.* keys), gst_rnn.weights (the state_dict as stored,
normalisation folded),
gst_rnn.onnx_io (the ONNX writer export() uses for a .onnx name:
torch.onnx.export plus metadata_props),
gst_rnn.modelinfo (read_model(), ModelInfo; no third-party module, no
GStreamer), gst_rnn.safetensors_io (a small safetensors writer/reader;
numpy).  `python3 -m gst_rnn.exporter --help` and `python3 -m
gst_rnn.modelinfo FILE` are their command lines.

The exporter's names are imported on first use, so `import gst_rnn` and
the reader work on a machine without PyTorch.
"""

_MODELINFO_NAMES = ("ModelInfo", "ModelFileError", "read_model")
_EXPORTER_NAMES = ("export", "check_file", "check_pooling", "frontend_metadata",
                   "run_settings", "find_plugin_env", "element_available",
                   "pooled_forward", "ExportCheckError", "PluginNotFound",
                   "TOLERANCE")

__all__ = list(_MODELINFO_NAMES) + list(_EXPORTER_NAMES)


def __getattr__(name):
    # PEP 562: each module loads when one of its names is first asked for
    # (the exporter brings torch; `python3 -m gst_rnn.modelinfo` runs clean)
    if name in _MODELINFO_NAMES:
        from . import modelinfo
        return getattr(modelinfo, name)
    if name in _EXPORTER_NAMES:
        from . import exporter
        return getattr(exporter, name)
    raise AttributeError("module 'gst_rnn' has no attribute %r" % name)
