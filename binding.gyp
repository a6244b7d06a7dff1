{
  "variables": {
    "cr_cflags": ["-O3", "-fPIC", "-fno-math-errno", "-ffp-contract=off", "-fvisibility=hidden"]
  },
  "targets": [
    {
      "target_name": "chainrule_gemm_avx512",
      "type": "static_library",
      "sources": ["native/gemm_avx512.cc"],
      "cflags_cc": ["<@(cr_cflags)", "-std=gnu++17", "-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma", "-ffp-contract=fast"],
      "cflags_cc!": ["-O2", "-O0"]
    },
    {
      "target_name": "chainrule_gemm_avx2",
      "type": "static_library",
      "sources": ["native/gemm_avx2.cc"],
      "cflags_cc": ["<@(cr_cflags)", "-std=gnu++17", "-mavx2", "-mfma", "-ffp-contract=fast"],
      "cflags_cc!": ["-O2", "-O0"]
    },
    {
      "target_name": "chainrule_native",
      "dependencies": ["chainrule_gemm_avx512", "chainrule_gemm_avx2"],
      "sources": [
        "native/addon.cc",
        "native/pool.cc",
        "native/gemm.cc",
        "native/gemm_generic.cc",
        "native/elementwise.cc",
        "native/reduce.cc",
        "native/indexing.cc",
        "native/optim.cc",
        "native/vmath.cc"
      ],
      "cflags_cc": ["<@(cr_cflags)", "-std=gnu++17"],
      "cflags_cc!": ["-O2", "-O0"],
      "ldflags": ["-pthread"]
    }
  ]
}
