"""LPIPS (VGG16 + learned 1x1 "lin" layers) loaded from a local state dict; nothing is downloaded.

The module layout follows taming's LPIPS so its keys load directly: scaling_layer.{shift,scale},
net.slice{1..5}.{torchvision feature index}.{weight,bias}, lin{0..4}.model.1.weight. Keys prefixed
`loss.perceptual_loss.` (inside a taming VQGAN checkpoint) or `perceptual_loss.` are accepted, and
so are plain torchvision VGG16 keys `features.{i}.*` (plus `lin*`).
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

# torchvision vgg16().features indices: conv layers and where each LPIPS slice ends (relu1_2 ... relu5_3).
_VGG16_CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512]
_SLICE_ENDS = [4, 9, 16, 23, 30]
_CHANNELS = [64, 128, 256, 512, 512]


def _vgg16_layers() -> list[nn.Module]:
    layers: list[nn.Module] = []
    in_ch = 3
    for v in _VGG16_CFG:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(in_ch, int(v), 3, padding=1), nn.ReLU(inplace=False)]
            in_ch = int(v)
    return layers


class ScalingLayer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("shift", torch.tensor([-0.030, -0.088, -0.188]).view(1, 3, 1, 1))
        self.register_buffer("scale", torch.tensor([0.458, 0.448, 0.450]).view(1, 3, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.shift) / self.scale


class _Slices(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        layers = _vgg16_layers()
        start = 0
        for n, end in enumerate(_SLICE_ENDS, start=1):
            piece = nn.Sequential()
            for index in range(start, end):
                piece.add_module(str(index), layers[index])  # keep torchvision's indices in the keys
            setattr(self, f"slice{n}", piece)
            start = end

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        outs = []
        for n in range(1, 6):
            x = getattr(self, f"slice{n}")(x)
            outs.append(x)
        return outs


class _Lin(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.model = nn.Sequential(nn.Dropout(), nn.Conv2d(channels, 1, 1, bias=False))


class LPIPS(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.scaling_layer = ScalingLayer()
        self.net = _Slices()
        for n, ch in enumerate(_CHANNELS):
            setattr(self, f"lin{n}", _Lin(ch))
        self.requires_grad_(False)
        self.eval()

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Per-image distance (B, 1, 1, 1) between images in [-1, 1]."""
        fx, fy = self.net(self.scaling_layer(x)), self.net(self.scaling_layer(y))
        total = 0.0
        for n, (a, b) in enumerate(zip(fx, fy)):
            a = a / (a.float().pow(2).sum(dim=1, keepdim=True).sqrt().to(a.dtype) + 1e-10)
            b = b / (b.float().pow(2).sum(dim=1, keepdim=True).sqrt().to(b.dtype) + 1e-10)
            diff = (a - b) ** 2
            total = total + getattr(self, f"lin{n}").model(diff).mean(dim=(2, 3), keepdim=True)
        return total

    def train(self, mode: bool = True) -> "LPIPS":
        return super().train(False)  # frozen: dropout stays off


def _normalise_keys(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    out: dict[str, torch.Tensor] = {}
    slice_of = {}
    start = 0
    for n, end in enumerate(_SLICE_ENDS, start=1):
        for index in range(start, end):
            slice_of[index] = n
        start = end
    for key, value in state.items():
        for prefix in ("loss.perceptual_loss.", "perceptual_loss.", "module."):
            if key.startswith(prefix):
                key = key[len(prefix) :]
        if key.startswith("features."):
            _, index, rest = key.split(".", 2)
            if int(index) not in slice_of:
                continue  # layers after relu5_3 are not used by LPIPS
            key = f"net.slice{slice_of[int(index)]}.{index}.{rest}"
        out[key] = value
    return out


def load_lpips(path: str | Path) -> LPIPS:
    """Builds LPIPS from a local VGG16 + lin state dict; missing weights are an error, not a silent random net."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"--lpips-weights: no such file: {path}")
    try:
        raw = torch.load(path, map_location="cpu")
    except Exception as exc:  # a truncated or non-torch file
        raise ValueError(f"--lpips-weights: {path} is not a readable torch state dict ({exc})") from exc
    if isinstance(raw, dict) and "state_dict" in raw and isinstance(raw["state_dict"], dict):
        raw = raw["state_dict"]
    if not isinstance(raw, dict):
        raise ValueError(f"--lpips-weights: {path} does not hold a state dict")
    state = _normalise_keys({k: v for k, v in raw.items() if isinstance(v, torch.Tensor)})
    model = LPIPS()
    expected = set(model.state_dict())
    wanted = {k: v for k, v in state.items() if k in expected}
    # The scaling constants are fixed numbers, so a torchvision-style file without them is fine.
    missing = sorted(k for k in expected - set(wanted) if not k.startswith("scaling_layer."))
    if missing:
        raise ValueError(f"--lpips-weights: {path} lacks {len(missing)} LPIPS weights, e.g. {', '.join(missing[:4])}")
    model.load_state_dict(wanted, strict=False)
    return model
