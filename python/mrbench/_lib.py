"""ctypes bindings of libMRBenchC (Sources/MRBenchC/mrbench.h)."""
from __future__ import annotations

import ctypes
import json
import os
import sys
from pathlib import Path

ABI_VERSION = 1
LIB_NAME = "libMRBenchC.dylib" if sys.platform == "darwin" else "libMRBenchC.so"

OK = 0
E_UNKNOWN_ID = 1
E_ARGUMENT = 2
E_ACTION = 3
E_STATE = 4
E_INTERNAL = 5

RUNNING, TERMINATED, TRUNCATED, DIVERGED, AUTORESET = 0, 1, 2, 3, 4


class Error(Exception):
    """An error reported by the mrbench library."""


class UnknownIdError(Error, LookupError):
    """No environment or benchmark has that id."""


class ArgumentError(Error, ValueError):
    """A wrong size, index or value was passed."""


class ActionError(Error, ValueError):
    """An action was refused (a non-finite component)."""


class StateError(Error, RuntimeError):
    """A call out of order: a step after the episode ended, or before the first reset."""


_ERRORS = {E_UNKNOWN_ID: UnknownIdError, E_ARGUMENT: ArgumentError, E_ACTION: ActionError, E_STATE: StateError}


def _candidates():
    env = os.environ.get("MRBENCH_LIB")
    if env:
        yield Path(env), "MRBENCH_LIB"
        return
    here = Path(__file__).resolve().parent
    yield here / "_native" / LIB_NAME, "the installed package"
    # Run from a checkout without installing: the repository's release or debug build.
    root = here.parent.parent
    for config in ("release", "debug"):
        yield root / ".build" / config / LIB_NAME, f"the repository's .build/{config}"


def _load():
    tried = []
    for path, origin in _candidates():
        if path.is_file():
            return ctypes.CDLL(str(path)), path
        tried.append(f"{path} ({origin})")
    raise ImportError(
        "mrbench: the Swift library libMRBenchC was not found; tried " + ", ".join(tried)
        + ". Install with `pip install ./python` from the repository root, or set MRBENCH_LIB."
    )


lib, LIB_PATH = _load()

_p = ctypes.c_void_p
_sz = ctypes.c_size_t
lib.mrbench_abi_version.restype = ctypes.c_int32
lib.mrbench_abi_version.argtypes = []
lib.mrbench_last_error.restype = ctypes.c_char_p
lib.mrbench_last_error.argtypes = []
lib.mrbench_set_assets.restype = ctypes.c_int32
lib.mrbench_set_assets.argtypes = [ctypes.c_char_p]
lib.mrbench_catalogue.restype = ctypes.c_char_p
lib.mrbench_catalogue.argtypes = []
lib.mrbench_benchmark_info.restype = ctypes.c_int32
lib.mrbench_benchmark_info.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p)]
lib.mrbench_env_make.restype = ctypes.c_int32
lib.mrbench_env_make.argtypes = [ctypes.c_char_p, ctypes.POINTER(_p)]
lib.mrbench_env_make_train.restype = ctypes.c_int32
lib.mrbench_env_make_train.argtypes = [ctypes.c_char_p, ctypes.c_int64, ctypes.POINTER(_p)]
lib.mrbench_env_free.restype = None
lib.mrbench_env_free.argtypes = [_p]
lib.mrbench_env_info.restype = ctypes.c_char_p
lib.mrbench_env_info.argtypes = [_p]
lib.mrbench_env_reset.restype = ctypes.c_int32
lib.mrbench_env_reset.argtypes = [_p, ctypes.c_uint64, ctypes.c_int32, _p, _sz]
lib.mrbench_env_step.restype = ctypes.c_int32
lib.mrbench_env_step.argtypes = [_p, _p, _sz, _p, _sz, _p, _p, _p]
lib.mrbench_env_goal_reward.restype = ctypes.c_int32
lib.mrbench_env_goal_reward.argtypes = [_p, _p, _p, _sz, _sz, _p]
lib.mrbench_vec_make.restype = ctypes.c_int32
lib.mrbench_vec_make.argtypes = [ctypes.POINTER(_p), _sz, ctypes.c_int32, ctypes.POINTER(_p)]
lib.mrbench_vec_free.restype = None
lib.mrbench_vec_free.argtypes = [_p]
lib.mrbench_vec_reset.restype = ctypes.c_int32
lib.mrbench_vec_reset.argtypes = [_p, _p, _p, _sz]
lib.mrbench_vec_step.restype = ctypes.c_int32
lib.mrbench_vec_step.argtypes = [_p, _p, _sz, _p, _sz, _p, _p, _p]

if lib.mrbench_abi_version() != ABI_VERSION:
    raise ImportError(f"mrbench: {LIB_PATH} speaks C ABI version {lib.mrbench_abi_version()}, this package {ABI_VERSION}; rebuild it")


def check(rc: int) -> None:
    """Raises the Python exception of a status code, with the library's message."""
    if rc != OK:
        message = lib.mrbench_last_error().decode("utf-8", "replace")
        raise _ERRORS.get(rc, Error)(message)


def _configure_assets():
    if os.environ.get("MRBENCH_ASSETS"):
        return  # the library reads it itself
    shipped = Path(__file__).resolve().parent / "_native" / "Assets"
    if shipped.is_dir():
        check(lib.mrbench_set_assets(str(shipped).encode()))


_configure_assets()

CATALOGUE = json.loads(lib.mrbench_catalogue().decode())


def benchmark_info(benchmark: str) -> dict:
    out = ctypes.c_char_p()
    check(lib.mrbench_benchmark_info(_id(benchmark, "benchmark id"), ctypes.byref(out)))
    return json.loads(out.value.decode())


def _id(value, what: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, got {type(value).__name__}")
    return value.encode()


class EnvHandle:
    """One environment of the library; freed when garbage-collected."""

    __slots__ = ("ptr", "info", "__weakref__")

    def __init__(self, env_id: str | None = None, *, benchmark: str | None = None, task: int | None = None):
        ptr = _p()
        if benchmark is not None:
            if isinstance(task, bool) or not isinstance(task, int):
                raise TypeError(f"train task index must be an int, got {type(task).__name__}")
            check(lib.mrbench_env_make_train(_id(benchmark, "benchmark id"), task, ctypes.byref(ptr)))
        else:
            check(lib.mrbench_env_make(_id(env_id, "environment id"), ctypes.byref(ptr)))
        self.ptr = ptr.value
        self.info = json.loads(lib.mrbench_env_info(self.ptr).decode())

    def __del__(self):
        if getattr(self, "ptr", None):
            lib.mrbench_env_free(self.ptr)
            self.ptr = None
