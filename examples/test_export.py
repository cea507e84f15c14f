#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Tests of the exporter (gst_rnn.exporter, through examples/export.py) beyond the random-model demos.

    test_export.py metadata     rnn.frontend.* written for MelSpectrogram,
                                MFCC and kaldi fbank (expected values written
                                out here from torchaudio's arguments and the
                                shared spec), and the refusals (center=True,
                                other windows, dither, widths that clash)
    test_export.py folding      mean/std folded into layer 0, checked in
                                PyTorch alone: a plain module loaded from the
                                file, on raw features, equals the trained one
                                on normalised features (bias and bias=False)
    test_export.py element      through the rnn element: a GRU of 100 inputs
                                (200 channels with 2 streams) with folded
                                normalisation and n-to-1 mean pooling checked
                                against the user's forward; a forward that
                                pools differently must fail the check
    test_export.py settings     run settings (mode, window, hop, carry_state)
                                written, refused when invalid, and used by
                                `rnn model=FILE` alone against PyTorch
    test_export.py batch-first  a batch_first model's own forward ((N, T, F)
                                -> (N, O)) as check_forward: the pooling
                                check hands it the window in that layout;
                                a forward that expects (T, N, F) fails
    test_export.py frontend-check
                                a file carrying rnn.frontend.* checked
                                through the element (needs the core loader
                                to take the rnn.frontend.* keys, which the
                                melspec branch adds)
    test_export.py onnx         ONNX files (a .onnx name): an LSTM
                                (bidirectional, 2 layers, softmax head,
                                labels, pooling, run settings, front end,
                                folded normalisation), a batch_first GRU
                                with a sigmoid head at opset 11, a relu RNN
                                without bias or head at opset 17, each
                                checked through the element against PyTorch
                                (1e-5) and read back by rnn-inspect
                                ($RNN_INSPECT) as its safetensors twin is;
                                proj_size, opsets and formats refused
    test_export.py frontend-melspec
                                the metadata means what torchaudio computes:
                                `melspec model=FILE` against MelSpectrogram
                                (ln; hamming, slaney, power 1, db), MFCC and
                                kaldi fbank on a waveform, max abs error
                                <= 1e-4 x max(1, |features|) (77 without
                                the melspec element)

Exit 0 when every case passed, 1 otherwise, 77 (skipped) without
python3-torch / python3-torchaudio.
"""

import os
import sys
import tempfile

try:
    import torch
    import torchaudio
    from torch import nn
except ImportError as e:
    print("SKIP: %s (install python3-torch python3-torchaudio)" % e)
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export as ex  # noqa: E402
from gst_rnn.safetensors_io import load_file  # noqa: E402  (export put examples/python on the path)

T = torchaudio.transforms


def expect_error(exc, words, fn, *a, **kw):
    """fn(*a, **kw) must raise exc with every one of `words` in its text."""
    try:
        fn(*a, **kw)
    except exc as e:
        missing = [w for w in words if w not in str(e)]
        assert not missing, "error %r lacks %s" % (str(e), missing)
        print("  refused as expected: %s" % str(e).split("\n")[0][:110])
        return
    raise AssertionError("%s(%s) did not raise %s" % (fn.__name__, a, exc.__name__))


def case_metadata(tmp):
    ms = T.MelSpectrogram(sample_rate=16000, n_fft=400, hop_length=160,
                          n_mels=40, center=False)
    assert ex.frontend_metadata(ms, "ln") == {
        "rnn.frontend": "melspec", "rnn.frontend.sample-rate": "16000",
        "rnn.frontend.n-fft": "400", "rnn.frontend.win-length": "400",
        "rnn.frontend.hop-length": "160", "rnn.frontend.n-mels": "40",
        "rnn.frontend.f-min": "0", "rnn.frontend.f-max": "8000",
        "rnn.frontend.window": "hann", "rnn.frontend.power": "2",
        "rnn.frontend.mel-scale": "htk", "rnn.frontend.norm": "none",
        "rnn.frontend.log": "ln", "rnn.frontend.log-offset": "0.000001"}

    ms2 = T.MelSpectrogram(sample_rate=22050, n_fft=512, win_length=480,
                           hop_length=256, f_min=50.5, f_max=8000.0, n_mels=64,
                           window_fn=torch.hamming_window, power=1.0,
                           norm="slaney", mel_scale="slaney", center=False)
    assert ex.frontend_metadata(ms2, "db") == {
        "rnn.frontend": "melspec", "rnn.frontend.sample-rate": "22050",
        "rnn.frontend.n-fft": "512", "rnn.frontend.win-length": "480",
        "rnn.frontend.hop-length": "256", "rnn.frontend.n-mels": "64",
        "rnn.frontend.f-min": "50.5", "rnn.frontend.f-max": "8000",
        "rnn.frontend.window": "hamming", "rnn.frontend.power": "1",
        "rnn.frontend.mel-scale": "slaney", "rnn.frontend.norm": "slaney",
        "rnn.frontend.log": "db"}
    assert ex.frontend_metadata(ms2)["rnn.frontend.log"] == "none"

    mfcc = T.MFCC(sample_rate=8000, n_mfcc=13, melkwargs=dict(
        n_fft=256, hop_length=80, n_mels=23, center=False))
    mfcc.amplitude_to_DB.top_db = None
    m = ex.frontend_metadata(mfcc)
    assert m["rnn.frontend.n-mfcc"] == "13" and m["rnn.frontend.log"] == "db"
    assert m["rnn.frontend.n-mels"] == "23" and m["rnn.frontend.f-max"] == "4000"
    mfcc_ln = T.MFCC(sample_rate=8000, n_mfcc=13, log_mels=True, melkwargs=dict(
        n_fft=256, hop_length=80, n_mels=23, center=False))
    m = ex.frontend_metadata(mfcc_ln)
    assert m["rnn.frontend.log"] == "ln" and m["rnn.frontend.log-offset"] == "0.000001"

    kaldi = {"preset": "kaldi-fbank", "sample_frequency": 16000.0,
             "frame_length": 25.0, "frame_shift": 10.0, "num_mel_bins": 80,
             "low_freq": 20.0, "high_freq": -400.0}
    assert ex.frontend_metadata(kaldi) == {
        "rnn.frontend": "melspec", "rnn.frontend.preset": "kaldi-fbank",
        "rnn.frontend.sample-rate": "16000",
        "rnn.frontend.win-length": "400", "rnn.frontend.hop-length": "160",
        "rnn.frontend.n-mels": "80", "rnn.frontend.f-min": "20",
        "rnn.frontend.f-max": "7600", "rnn.frontend.window": "povey",
        "rnn.frontend.power": "2", "rnn.frontend.log": "ln"}
    m = ex.frontend_metadata(dict(kaldi, use_log_fbank=False, use_power=False))
    assert m["rnn.frontend.log"] == "none" and m["rnn.frontend.power"] == "1"

    # refusals, each naming the reason
    expect_error(ValueError, ["center=True", "center=False", "200"],
                 ex.frontend_metadata, T.MelSpectrogram(16000, n_fft=400, n_mels=40), "ln")
    expect_error(ValueError, ["hann", "hamming"], ex.frontend_metadata,
                 T.MelSpectrogram(16000, n_fft=400, center=False,
                                  window_fn=torch.blackman_window))
    expect_error(ValueError, ["dither"], ex.frontend_metadata,
                 dict(kaldi, dither=1.0))
    expect_error(ValueError, ["frame_lenght"], ex.frontend_metadata,
                 dict(kaldi, frame_lenght=25.0))
    expect_error(ValueError, ["log_offset", "'db'"], ex.frontend_metadata,
                 ms, "db", 1e-3)
    expect_error(ValueError, ["log_mels=False", "'ln'"], ex.frontend_metadata,
                 mfcc, "ln")

    # written into the file, next to the model's own keys
    gru = nn.GRU(40, 8)
    path = os.path.join(tmp, "fe.safetensors")
    ex.export(gru, path, frontend=ms, frontend_log="ln", log_offset=1e-5,
              check=False, verbose=False)
    _, meta = load_file(path)
    assert meta["rnn.frontend.log-offset"] == "0.00001", meta
    assert meta["rnn.frontend.n-mels"] == "40" and meta["rnn.cell"] == "gru"
    expect_error(ValueError, ["40 features", "takes 13 inputs"], ex.export,
                 nn.GRU(13, 8), path, frontend=ms, check=False)
    expect_error(ValueError, ["frontend_log"], ex.export, gru, path,
                 frontend_log="ln", check=False)


def _reload(path, like):
    """A fresh module of like's kind, weights from the exported file."""
    tensors, _ = load_file(path)
    sd = {k[len("rnn."):]: torch.from_numpy(v.copy()) for k, v in tensors.items()
          if k.startswith("rnn.")}
    m = type(like)(like.input_size, like.hidden_size, like.num_layers,
                   bias=True, bidirectional=like.bidirectional)
    m.load_state_dict(sd)
    return m.eval()


def case_folding(tmp):
    torch.manual_seed(3)
    for cls, bias, bi in ((nn.GRU, True, False), (nn.LSTM, False, True),
                          (nn.RNN, False, False)):
        m = cls(12, 10, num_layers=2, bias=bias, bidirectional=bi).eval()
        mean = torch.randn(12) * 4 - 7
        std = torch.rand(12) * 3 + 0.1
        path = os.path.join(tmp, "fold.safetensors")
        ex.export(m, path, feature_mean=mean, feature_std=std, check=False,
                  verbose=False)
        x = torch.randn(30, 3, 12) * std + mean
        with torch.no_grad():
            want, _ = m((x - mean) / std)
            got, _ = _reload(path, m)(x)
        err = float((got - want).abs().max())
        print("  %s bias=%s bidirectional=%s: folded vs normalised, max abs "
              "error %.2g" % (cls.__name__, bias, bi, err))
        assert err <= 1e-5, err
    expect_error(ValueError, ["feature_std", "> 0"], ex.export, nn.GRU(3, 4),
                 path, feature_mean=[0, 0, 0], feature_std=[1, 0, 1], check=False)
    expect_error(ValueError, ["feature_mean has 2 values", "3 inputs"], ex.export,
                 nn.GRU(3, 4), path, feature_mean=[0, 0], check=False)


def case_element(tmp):
    torch.manual_seed(5)
    gru = nn.GRU(100, 24)
    fc = nn.Linear(24, 5)
    mean = torch.randn(100) * 3 - 5
    std = torch.rand(100) * 2 + 0.5
    path = os.path.join(tmp, "wide.safetensors")
    kw = dict(head=fc, head_activation="softmax", pooling="mean",
              feature_mean=mean, feature_std=std, check_frames=60,
              check_window=40, verbose=True, check=True)
    err = ex.export(gru, path, check_forward=ex.pooled_forward(
        gru, fc, "softmax", "mean"), **kw)
    assert err <= ex.TOLERANCE
    # the pooling check can fail: a forward that pools the last frame
    # against a file that says mean
    expect_error(ex.ExportCheckError, ["n-to-1 window=40", "check_forward"],
                 ex.export, gru, path, check_forward=ex.pooled_forward(
                     gru, fc, "softmax", "last"), **kw)
    # and the frame-by-frame check too: normalisation not folded (the
    # element then sees raw features through unfolded weights)
    ex.export(gru, path, head=fc, check=False, verbose=False)
    expect_error(ex.ExportCheckError, ["max abs error"], ex.check_file, path,
                 gru, head=fc, feature_mean=mean, feature_std=std, frames=20,
                 verbose=False)


def case_batch_first(tmp):
    torch.manual_seed(7)

    class Net(nn.Module):                       # as a PyTorch user writes one
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(6, 12, num_layers=2, batch_first=True)
            self.fc = nn.Linear(12, 3)

        def forward(self, x):                   # (N, T, F) -> (N, 3)
            y, _ = self.gru(x)
            return torch.softmax(self.fc(y.mean(dim=1)), dim=-1)

    net = Net()
    path = os.path.join(tmp, "bf.safetensors")
    err = ex.export(net.gru, path, head=net.fc, head_activation="softmax",
                    pooling="mean", check=True, check_frames=40,
                    check_window=30, check_forward=net)
    assert err <= ex.TOLERANCE, err
    # the layout is the module's: a forward that wants (T, N, F) gets
    # (N=2, T=30, F) read as 30 streams of 2 frames, and must fail
    expect_error(ex.ExportCheckError, ["check_forward returned (30, 3)"],
                 ex.check_pooling, path, net.gru,
                 lambda x: net(x.transpose(0, 1)), 30, verbose=False)


def case_settings(tmp):
    """Run settings written by export() and used by the element from the
    file alone: `rnn model=FILE` (no mode, window or hop) gives PyTorch's
    scores for every window of 50 frames every 10."""
    import numpy as np
    torch.manual_seed(11)
    gru = nn.GRU(3, 8)
    fc = nn.Linear(8, 4)
    path = os.path.join(tmp, "settings.safetensors")
    ex.export(gru, path, head=fc, head_activation="softmax", pooling="mean",
              mode="n-to-1", window=50, hop=10, carry_state=False,
              verbose=False, check=True)
    _, meta = load_file(path)
    for k, v in {"rnn.mode": "n-to-1", "rnn.window": "50", "rnn.hop": "10",
                 "rnn.carry_state": "false"}.items():
        assert meta.get(k) == v, (k, meta.get(k))
    # refusals name the argument and the value
    for kw, words in [({"mode": "n-to-2"}, ["mode", "'n-to-2'"]),
                      ({"mode": "n-to-1"}, ["needs window="]),
                      ({"mode": "n-to-m"}, ["encoder-decoder"]),
                      ({"window": 0}, ["window", "from 1 to 1048576", "0"]),
                      ({"hop": 2.5}, ["hop", "2.5"]),
                      ({"mode": "n-to-n", "hop": 4}, ["hop=", "n-to-n"]),
                      ({"feed": "context"}, ["feed", "'context'"]),
                      ({"carry_state": "yes"}, ["carry_state", "'yes'"])]:
        expect_error(ValueError, words, ex.export, gru, path, check=False,
                     verbose=False, **kw)
    # the element from the file alone, against PyTorch window by window
    T, B, W, hop = 120, 2, 50, 10
    x = torch.rand(T, B, 3) * 2 - 1
    fwd = ex.pooled_forward(gru, fc, "softmax", "mean")
    with torch.no_grad():
        ref = [fwd(x[s:s + W]).numpy() for s in range(0, T - W + 1, hop)]
    env = ex.find_plugin_env(None)
    fin = os.path.join(tmp, "in.f32")
    x.numpy().astype("<f4").tofile(fin)
    r = ex._launch(env, fin, B * 3, ["model=" + path], ["fakesink"],
                   messages=True)
    rows = {}
    for m in ex._RESULT.finditer(r.stdout):
        rows.setdefault(int(m.group(1)), []).append(
            [float(v) for v in m.group(2).split(",")])
    assert sorted(rows) == list(range(B)), rows.keys()
    for b in range(B):
        assert len(rows[b]) == len(ref), (b, len(rows[b]), len(ref))
        err = max(float(np.max(np.abs(np.array(rows[b][w]) - ref[w][b])))
                  for w in range(len(ref)))
        assert err <= ex.TOLERANCE, (b, err)
    assert "WARNING" not in r.stdout, r.stdout
    print("  rnn model=FILE alone: %d windows x %d streams match PyTorch, "
          "max abs error %.2g" % (len(ref), B, err))


def _inspect(path):
    """rnn-inspect's report on path, less the File and Fingerprint lines
    (the fingerprint hashes tensor names, which differ between formats)."""
    import shutil
    import subprocess
    exe = os.environ.get("RNN_INSPECT") or shutil.which("rnn-inspect")
    assert exe, "rnn-inspect not found: set RNN_INSPECT (build/core/rnn-inspect)"
    r = subprocess.run([exe, path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    assert r.returncode == 0, "rnn-inspect %s: %s" % (path, r.stdout)
    return [ln for ln in r.stdout.splitlines()
            if not ln.startswith(("File:", "Fingerprint:"))]


def case_onnx(tmp):
    """export() to a .onnx name: the file runs through the element as
    PyTorch computes (check=True, 1e-5), and rnn-inspect reads back from
    it the report of the same model exported as safetensors: cell, sizes,
    head, labels, pooling, run settings, front end, other metadata."""
    torch.manual_seed(13)
    lstm, fc3 = nn.LSTM(40, 6, num_layers=2, bidirectional=True), nn.Linear(12, 3)
    gru, fc2 = nn.GRU(5, 8, batch_first=True), nn.Linear(8, 2)
    ms = T.MelSpectrogram(16000, n_fft=400, hop_length=160, n_mels=40,
                          center=False)
    cases = [
        ("LSTM bidirectional, softmax head, front end, normalised", lstm, fc3,
         "softmax", dict(labels=["yes", "no", "maybe"], pooling="final-state",
                         mode="n-to-1", window=30, hop=10, carry_state=False,
                         frontend=ms, frontend_log="ln",
                         feature_mean=torch.randn(40) - 8,
                         feature_std=torch.rand(40) + 0.5,
                         check_forward=ex.pooled_forward(lstm, fc3, "softmax",
                                                         "final-state"),
                         check_window=30,
                         metadata={"description": "onnx export test"}),
         ["Labels:          yes, no, maybe", "Pooling:         final-state (n-to-1)",
          "  mode         n-to-1     (rnn.mode)", "  window       30         (rnn.window)",
          "  rnn.frontend.n-mels              40"]),
        ("GRU batch_first, sigmoid head, opset 11", gru, fc2, "sigmoid",
         dict(opset=11, labels="a,b", check_forward=ex.pooled_forward(
             gru, fc2, "sigmoid", "last"), check_window=20),
         ["Head:            Linear 8 -> 2, activation sigmoid", "Labels:          a, b"]),
        ("RNN relu without bias or head, opset 17",
         nn.RNN(4, 6, nonlinearity="relu", bias=False), None, "none",
         dict(opset=17, mode="1-to-n", steps=3),
         ["Cell:            rnn_relu", "Bias:            no",
          "  steps        3          (rnn.steps)"]),
    ]
    for name, m, fc, act, kw, lines in cases:
        onnx = os.path.join(tmp, "m.onnx")
        err = ex.export(m, onnx, head=fc, head_activation=act, check=True,
                        check_frames=60, verbose=False, **kw)
        assert err <= ex.TOLERANCE, (name, err)
        with open(onnx, "rb") as f:
            assert f.read(1) == b"\x08", "not a ModelProto (ir_version first)"
        kw = {k: v for k, v in kw.items() if not k.startswith(("opset", "check"))}
        st = os.path.join(tmp, "m.safetensors")
        ex.export(m, st, head=fc, head_activation=act, check=False,
                  verbose=False, **kw)
        got, want = _inspect(onnx), _inspect(st)
        assert got == want, "%s: rnn-inspect differs:\n%s" % (name, "\n".join(
            "onnx %-50s safetensors %s" % (a, b) for a, b in zip(got, want) if a != b))
        missing = [ln for ln in lines if ln not in got]
        assert not missing, (name, missing, got)
        print("  %s: element vs PyTorch max abs error %.2g; rnn-inspect reads "
              "the same %d lines as from the safetensors file" % (name, err, len(got)))

    # what an ONNX file cannot carry, or a name that contradicts the format
    path = os.path.join(tmp, "refused.onnx")
    expect_error(ValueError, ["proj_size=2", "torch.onnx.export", ".safetensors"],
                 ex.export, nn.LSTM(3, 4, proj_size=2), path, check=False)
    assert not os.path.exists(path), "a refused export left a file"
    for kw, name, words in [
            ({"opset": 8}, "m.onnx", ["opset", "9 to 17", "8"]),
            ({"opset": 18}, "m.onnx", ["opset", "18"]),
            ({"opset": 14}, "m.safetensors", ["opset=14 applies to ONNX"]),
            ({"format": "onnx"}, "m.safetensors", ["format='onnx'", "does not end in .onnx"]),
            ({"format": "safetensors"}, "m.onnx", ["format='safetensors'", "ends in .onnx"]),
            ({"format": "tflite"}, "m.tflite", ["'safetensors' or 'onnx'", "'tflite'"])]:
        expect_error(ValueError, words, ex.export, nn.GRU(3, 4),
                     os.path.join(tmp, name), check=False, **kw)


def case_frontend_check(tmp):
    torch.manual_seed(7)
    gru = nn.GRU(40, 16)
    fc = nn.Linear(16, 3)
    ms = T.MelSpectrogram(16000, n_fft=400, hop_length=160, n_mels=40,
                          center=False)
    ex.export(gru, os.path.join(tmp, "fe-check.safetensors"), head=fc,
              head_activation="softmax", pooling="last", frontend=ms,
              frontend_log="ln", feature_mean=torch.full((40,), -8.0),
              feature_std=torch.full((40,), 3.0), check_window=50, check=True,
              check_forward=ex.pooled_forward(gru, fc, "softmax", "last"))


def _melspec(path, x, rate, n_feat, tmp):
    """x (float32 mono at rate) through `melspec model=path`: (frames, F)."""
    import subprocess
    fin, fout = os.path.join(tmp, "a.f32"), os.path.join(tmp, "f.f32")
    x.numpy().astype("<f4").tofile(fin)
    cmd = ["gst-launch-1.0", "-q", "filesrc", "location=" + fin, "blocksize=4000",
           "!", "rawaudioparse", "use-sink-caps=false", "format=pcm",
           "pcm-format=f32le", "sample-rate=%d" % rate, "num-channels=1", "!",
           "melspec", "model=" + path, "!", "filesink", "location=" + fout]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert r.returncode == 0, "%s\n%s" % (" ".join(cmd), r.stdout)
    import numpy as np
    return np.fromfile(fout, dtype="<f4").reshape(-1, n_feat)


def case_frontend_melspec(tmp):
    """The metadata means what torchaudio computed: `melspec model=FILE` on
    a waveform against the transform itself (skipped without melspec)."""
    import subprocess
    if subprocess.run(["gst-inspect-1.0", "melspec"], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 0:
        print("SKIP: no melspec element")
        sys.exit(77)
    g = torch.Generator().manual_seed(11)

    def wave(rate, seconds=0.6):
        t = torch.arange(int(rate * seconds)) / rate
        return (0.3 * torch.sin(2 * torch.pi * 440 * t) +
                0.05 * torch.randn(len(t), generator=g)).float()

    ms = T.MelSpectrogram(16000, n_fft=400, hop_length=160, n_mels=40, center=False)
    ms2 = T.MelSpectrogram(22050, n_fft=512, win_length=480, hop_length=245,
                           f_min=50.5, f_max=8000.0, n_mels=64,
                           window_fn=torch.hamming_window, power=1.0,
                           norm="slaney", mel_scale="slaney", center=False)
    mfcc = T.MFCC(8000, n_mfcc=13, melkwargs=dict(n_fft=256, hop_length=80,
                                                  n_mels=23, center=False))
    mfcc.amplitude_to_DB.top_db = None
    kaldi = {"preset": "kaldi-fbank", "sample_frequency": 16000.0,
             "frame_length": 25.0, "frame_shift": 10.0, "num_mel_bins": 30,
             "low_freq": 40.0, "high_freq": -400.0}
    cases = [
        ("MelSpectrogram + ln", ms, dict(frontend_log="ln"), 16000, 40,
         lambda x: torch.log(ms(x) + 1e-6).T),
        ("MelSpectrogram hamming slaney power 1 + db", ms2,
         dict(frontend_log="db"), 22050, 64,
         lambda x: (10 * torch.log10(torch.clamp(ms2(x), min=1e-10))).T),
        ("MFCC", mfcc, {}, 8000, 13, lambda x: mfcc(x).T),
        ("kaldi fbank", kaldi, {}, 16000, 30, lambda x: torchaudio.compliance.kaldi.fbank(
            x[None], **{k: v for k, v in kaldi.items() if k != "preset"}, dither=0.0)),
    ]
    for name, fe, kw, rate, n_feat, ref_fn in cases:
        path = os.path.join(tmp, "fe.safetensors")
        ex.export(nn.GRU(n_feat, 4), path, frontend=fe, check=False,
                  verbose=False, **kw)
        x = wave(rate)
        with torch.no_grad():
            ref = ref_fn(x).numpy()
        got = _melspec(path, x, rate, n_feat, tmp)
        assert got.shape == ref.shape, (name, got.shape, ref.shape)
        err = float(abs(got - ref).max())
        tol = 1e-4 * max(1.0, float(abs(ref).max()))
        print("  %s: %d frames x %d, melspec model=FILE vs torchaudio: max abs "
              "error %.2g (tolerance %.2g)" % (name, ref.shape[0], n_feat, err, tol))
        assert err <= tol, (name, err)


CASES = {"metadata": case_metadata, "folding": case_folding,
         "element": case_element, "frontend-check": case_frontend_check,
         "settings": case_settings, "batch-first": case_batch_first,
         "frontend-melspec": case_frontend_melspec, "onnx": case_onnx}


def main():
    names = sys.argv[1:] or list(CASES)
    torch.set_num_threads(1)
    failed = 0
    for name in names:
        print("case %s" % name)
        with tempfile.TemporaryDirectory(prefix="gst-rnn-test-export-") as tmp:
            try:
                CASES[name](tmp)
                print("case %s: OK" % name)
            except (AssertionError, ex.ExportCheckError, ex.PluginNotFound) as e:
                print("case %s: FAILED: %r" % (name, e))
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
