"""The compiled kernels (``mlplab.kernels._compiled``); everything else is in pyproject.toml.

The extension is optional: where no C compiler is found the build goes on without it and mlplab
runs its NumPy reference path (``mlplab.kernels.fused()`` is then False).
"""

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

NATIVE = "src/mlplab/kernels/native"
#: no -ffast-math: the kernels repeat the NumPy reference's float operations in its order.
#: -fno-math-errno and -fno-trapping-math change no result (errno and the float exception flags
#: are never read) but let sqrt and the rectifiers' selects vectorize; -ffp-contract=off keeps
#: a·b + c two roundings, as NumPy's.
UNIX_FLAGS = ["-O3", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off", "-std=c11"]


class BuildKernels(build_ext):
    def build_extensions(self):
        if self.compiler.compiler_type == "unix":
            for extension in self.extensions:
                extension.extra_compile_args = UNIX_FLAGS
        super().build_extensions()


setup(
    ext_modules=[
        Extension(
            "mlplab.kernels._compiled",
            sources=[f"{NATIVE}/module.c"],
            depends=[
                f"{NATIVE}/{name}.h" for name in ("updates", "activations", "batchnorm", "losses")
            ],
            optional=True,
        )
    ],
    cmdclass={"build_ext": BuildKernels},
)
