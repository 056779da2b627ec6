"""Builds the Swift library (libMRBenchC) and ships it, with the assets, inside the package.

`pip install ./python` runs `swift build -c release --product MRBenchC` from the repository root
(the directory above this one). With MRBENCH_LIB set to an already built library, that file is
shipped instead and Swift is not run.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LIB_NAME = "libMRBenchC.dylib" if sys.platform == "darwin" else "libMRBenchC.so"


class BuildWithSwift(build_py):
    def run(self):
        super().run()
        native = Path(self.build_lib) / "mrbench" / "_native"
        native.mkdir(parents=True, exist_ok=True)
        lib = os.environ.get("MRBENCH_LIB")
        if lib:
            lib = Path(lib)
            if not lib.is_file():
                raise SystemExit(f"MRBENCH_LIB={lib} is not a file")
        else:
            if not (ROOT / "Package.swift").is_file():
                raise SystemExit(f"{ROOT} is not the mrbench repository; set MRBENCH_LIB to a built {LIB_NAME}")
            cmd = ["swift", "build", "-c", "release", "--product", "MRBenchC"]
            print("mrbench: building the Swift library:", " ".join(cmd), f"(in {ROOT})", flush=True)
            subprocess.check_call(cmd, cwd=ROOT)
            lib = ROOT / ".build" / "release" / LIB_NAME
        shutil.copy2(lib, native / LIB_NAME)
        assets = ROOT / "Assets"
        if assets.is_dir():
            shutil.rmtree(native / "Assets", ignore_errors=True)
            shutil.copytree(assets, native / "Assets")


class BinaryDistribution(Distribution):
    """The wheel holds a native library: tag it for this platform."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithSwift}, distclass=BinaryDistribution)
