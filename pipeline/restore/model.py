"""The restoration model on disk: vocabulary, trigram LM, raw counts and OCR channel.

Files (in one model directory):
- `restore-lm.npz`: vocabulary, estimated LM tables (the forward LM's, and the backward
  LM's under `backward_`) and the raw trigram counts that `train-lm --add` adds to;
- `restore-channel.json`: the OCR letter-emission table (`channel.py`);
- `restore-accents.json` (optional): how Tesseract-vie misreads marks (`accents.py`);
- `restore-neural.npz` (optional): the neural rescorer (`neural.py`), loaded on first use.

The loader prefers a user model (`$VNPLAN_MODEL_DIR`, else `~/.local/share/vnplan/models`)
written by `vnplan train-lm`, and falls back to the model shipped in the repo's `models/`.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

import numpy as np

from pipeline import shipped
from pipeline.errors import ModelError
from pipeline.restore.accents import AccentChannel
from pipeline.restore.channel import Channel
from pipeline.restore.lexicon import Lexicon
from pipeline.restore.lm import SPECIALS, UNK, TrigramLM
from pipeline.restore.neural import NeuralScorer

log = logging.getLogger(__name__)

PACKAGED_DIR = shipped.PACKAGED_DIR
REPO_DIR = shipped.REPO_DIR
CASE_SMOOTHING = 2.0
LM_FILE = "restore-lm.npz"
CHANNEL_FILE = "restore-channel.json"
ACCENTS_FILE = "restore-accents.json"
NEURAL_FILE = "restore-neural.npz"
BACKWARD = "backward_"
"""Prefix of the backward LM's arrays in `LM_FILE`."""
RUNTIME_FILES = (LM_FILE, CHANNEL_FILE, ACCENTS_FILE, NEURAL_FILE)
"""What decoding reads; the wheel carries these (setup.py), not the training data."""


def user_model_dir() -> Path:
    """Where `train-lm` writes by default: `$VNPLAN_MODEL_DIR` or `~/.local/share/vnplan/models`."""
    env = os.environ.get("VNPLAN_MODEL_DIR")
    if env:
        return Path(env).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "vnplan" / "models"


def shipped_dir() -> Path:
    """The model that comes with vnplan: inside the installed package, else the repo's."""
    return shipped.shipped_dir(PACKAGED_DIR, REPO_DIR)


def model_dir() -> Path:
    """The directory the model is loaded from (user model first, then the shipped one)."""
    user = user_model_dir()
    if (user / LM_FILE).is_file():
        return user
    return shipped_dir()


def model_files(directory: Path | None = None) -> list[Path]:
    """The run-time files of the model in `directory` (default `model_dir()`) that exist."""
    directory = directory or model_dir()
    return [directory / n for n in RUNTIME_FILES if (directory / n).is_file()]


class RestoreModel:
    """Everything the decoder needs, loaded once per process."""

    def __init__(
        self,
        vocab: list[str],
        lm: TrigramLM,
        channel: Channel,
        tri_counts: tuple[np.ndarray, np.ndarray] | None = None,
        path: Path | None = None,
        cases: np.ndarray | None = None,
        accents: AccentChannel | None = None,
        backward: TrigramLM | None = None,
    ) -> None:
        """Assemble a model from its parts (see `load`).

        `cases` counts, per syllable, its Title-case and lower-case uses mid-sentence; it
        gives `case_title`/`case_lower`, log P(case | syllable): `Dang` mid-sentence is
        `Đảng`, `dang` is `đang`.
        """
        self.vocab = vocab
        self.index = {w: i for i, w in enumerate(vocab)}
        self.lm = lm
        self.channel = channel
        self.accents = accents
        """Tesseract-vie mark confusions; None for a model built without them."""
        self.backward = backward
        """The same counts read right to left (`lm.reversed_counts`), whose opinion the
        decoder's last pass asks on uncertain slots; None for a model built without it."""
        self.lexicon = Lexicon(vocab, first_word=len(SPECIALS))
        self.tri_counts = tri_counts
        self.path = path
        if cases is None or len(cases) != len(vocab):
            cases = np.zeros((len(vocab), 2), dtype=np.int32)
        self.cases = cases
        title, lower = cases[:, 0].astype(np.float64), cases[:, 1].astype(np.float64)
        prior = (title.sum() + 1) / (title.sum() + lower.sum() + 2)
        p_title = (title + CASE_SMOOTHING * prior) / (title + lower + CASE_SMOOTHING)
        self.case_title = np.log(p_title).tolist()
        self.case_lower = np.log1p(-p_title).tolist()
        self._neural: NeuralScorer | None = None
        self._neural_loaded = path is None

    @property
    def neural(self) -> NeuralScorer | None:
        """The neural rescorer of this model's directory, read on first use; None when
        there is none (a model built in memory has one only when it is set)."""
        if not self._neural_loaded:
            self._neural_loaded = True
            file = self.path / NEURAL_FILE if self.path is not None else None
            if file is not None and file.is_file():
                try:
                    self._neural = NeuralScorer.load(file)
                except (OSError, KeyError, ValueError) as exc:
                    log.warning("neural rescorer in %s not used: %s", file, exc)
        return self._neural

    @neural.setter
    def neural(self, scorer: NeuralScorer | None) -> None:
        self._neural, self._neural_loaded = scorer, True

    def word_id(self, syllable: str) -> int:
        """Id of a lower-case canonical syllable (`<unk>` when not in the vocabulary)."""
        return self.index.get(syllable, UNK)

    def save(self, directory: Path) -> None:
        """Write both files into `directory`, each through a temp file and a rename."""
        directory.mkdir(parents=True, exist_ok=True)
        arrays = self.lm.to_arrays()
        if self.backward is not None:
            arrays.update({BACKWARD + k: v for k, v in self.backward.to_arrays().items()})
        if self.tri_counts is not None:
            arrays["count_keys"], arrays["counts"] = self.tri_counts
        arrays["cases"] = self.cases
        arrays["vocab"] = np.frombuffer("\n".join(self.vocab).encode("utf-8"), dtype=np.uint8)
        tmp = directory / (LM_FILE + ".tmp.npz")
        np.savez_compressed(tmp, **arrays)
        tmp.replace(directory / LM_FILE)
        tmp_json = directory / (CHANNEL_FILE + ".tmp")
        tmp_json.write_text(json.dumps(self.channel.to_json(), ensure_ascii=False), "utf-8")
        tmp_json.replace(directory / CHANNEL_FILE)
        if self.accents is not None:
            tmp_json = directory / (ACCENTS_FILE + ".tmp")
            tmp_json.write_text(json.dumps(self.accents.to_json()), "utf-8")
            tmp_json.replace(directory / ACCENTS_FILE)

    @classmethod
    def load(cls, directory: Path | None = None, with_counts: bool = False) -> RestoreModel:
        """Read a model directory (default: `model_dir()`); raise ModelError when unusable."""
        directory = directory or model_dir()
        lm_path, channel_path = directory / LM_FILE, directory / CHANNEL_FILE
        if not lm_path.is_file() or not channel_path.is_file():
            raise ModelError(
                f"no restoration model in {directory}: reinstall vnplan (its package carries"
                " the model) or, in a source checkout, run `make models`"
            )
        try:
            with np.load(lm_path) as data:
                arrays = {
                    k: data[k]
                    for k in data.files
                    if with_counts or k not in ("count_keys", "counts")
                }
            vocab = arrays.pop("vocab").tobytes().decode("utf-8").split("\n")
            cases = arrays.pop("cases", None)
            counts = None
            if with_counts and "count_keys" in arrays:
                counts = (arrays.pop("count_keys"), arrays.pop("counts"))
            back = {
                k[len(BACKWARD) :]: arrays.pop(k) for k in list(arrays) if k.startswith(BACKWARD)
            }
            backward = TrigramLM.from_arrays(back, native=False) if back else None
            lm = TrigramLM.from_arrays(arrays)
            lm.compiled()  # the C core's tables, when it is built
            channel = Channel.from_json(json.loads(channel_path.read_text("utf-8")))
            accents_path = directory / ACCENTS_FILE
            accents = None
            if accents_path.is_file():
                accents = AccentChannel.from_json(json.loads(accents_path.read_text("utf-8")))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"cannot read the restoration model in {directory}: {exc}") from exc
        log.debug("restoration model loaded from %s", directory)
        return cls(vocab, lm, channel, counts, directory, cases, accents, backward)


_LOCK = threading.Lock()
_CACHE: dict[Path, RestoreModel] = {}


def get_model(directory: Path | None = None) -> RestoreModel:
    """The process-wide model for `directory` (loaded on first use)."""
    directory = directory or model_dir()
    with _LOCK:
        if directory not in _CACHE:
            _CACHE[directory] = RestoreModel.load(directory)
        return _CACHE[directory]


def clear_cache() -> None:
    """Forget loaded models (after `train-lm` wrote a new one)."""
    with _LOCK:
        _CACHE.clear()
