# SPDX-License-Identifier: LGPL-2.1-or-later
"""A recurrent module's weights as the model file stores them: the cell
name, the output width, and the per-feature normalisation folded into
layer 0.  Used by gst_rnn.exporter and gst_rnn.check; pure functions over
the module (which they do not change), any thread.
"""

import torch
from torch import nn

_CELLS = {nn.RNN: "rnn", nn.LSTM: "lstm", nn.GRU: "gru"}


def _cell_of(module):
    for cls, name in _CELLS.items():
        if type(module) is cls:
            return name
    raise TypeError("export: module must be an nn.RNN, nn.LSTM or nn.GRU, "
                    "not %s" % type(module).__name__)


def _out_width(module):
    h_out = module.proj_size if getattr(module, "proj_size", 0) else module.hidden_size
    return (2 if module.bidirectional else 1) * h_out




def _normalisation(n_in, mean, std):
    """(mean, std) as float64 tensors of n_in, or (None, None)."""
    if mean is None and std is None:
        return None, None
    mean = torch.zeros(n_in) if mean is None else torch.as_tensor(mean)
    std = torch.ones(n_in) if std is None else torch.as_tensor(std)
    for name, v in (("feature_mean", mean), ("feature_std", std)):
        if v.numel() != n_in:
            raise ValueError("export: %s has %d values, the model takes %d inputs"
                             % (name, v.numel(), n_in))
    mean, std = mean.reshape(-1).double(), std.reshape(-1).double()
    bad = [i for i in range(n_in) if not (std[i] > 0 and torch.isfinite(std[i]))]
    if bad or not torch.isfinite(mean).all():
        raise ValueError("export: feature_std must be finite and > 0 and "
                         "feature_mean finite (feature %d: std %g)"
                         % ((bad or [0])[0], std[(bad or [0])[0]]))
    return mean, std


def _folded_state(module, mean, std):
    """The module's state_dict as float32 with (x - mean) / std folded into
    layer 0 (both directions).  Without bias, zero biases are added (the
    loader takes all or none) and b_ih of layer 0 carries the mean."""
    sd = {k: v.detach().double().cpu().clone() for k, v in module.state_dict().items()}
    if mean is not None:
        D = 2 if module.bidirectional else 1
        G = {"rnn": 1, "gru": 3, "lstm": 4}[_cell_of(module)]
        if not module.bias:
            for layer in range(module.num_layers):
                for sfx in ("", "_reverse")[:D]:
                    for kind in ("ih", "hh"):
                        sd["bias_%s_l%d%s" % (kind, layer, sfx)] = \
                            torch.zeros(G * module.hidden_size, dtype=torch.float64)
        for sfx in ("", "_reverse")[:D]:
            w = sd["weight_ih_l0" + sfx] / std          # (G*H, F) / (F,)
            sd["weight_ih_l0" + sfx] = w
            sd["bias_ih_l0" + sfx] = sd["bias_ih_l0" + sfx] - w @ mean
    return {k: v.float() for k, v in sd.items()}
