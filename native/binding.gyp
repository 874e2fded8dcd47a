# node-gyp build of the optional native trainer addon (scaling_blas.node): Node-API (C) over OpenBLAS.
# Build: npm run build:native (needs a C compiler, Node's headers and libopenblas-dev); see docs/train.md "Fast path".
{
  "targets": [
    {
      "target_name": "scaling_blas",
      "sources": ["src/addon.c", "src/kernels.c"],
      "libraries": ["-lopenblas", "-lm"],
      "cflags_c": ["-std=c11", "-O3", "-march=native", "-ffp-contract=off", "-fno-fast-math", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags!": ["-O2"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS"]
    }
  ]
}
