{
  "variables": {
    "cr_cflags": ["-O3", "-fPIC", "-fno-math-errno", "-ffp-contract=off", "-fvisibility=hidden", "-std=gnu++17"]
  },
  "targets": [
    {
      "target_name": "chainrule_native",
      "sources": [
        "native/addon.cc",
        "native/pool.cc",
        "native/gemm.cc",
        "native/gemm_generic.cc",
        "native/elementwise.cc",
        "native/reduce.cc",
        "native/indexing.cc",
        "native/conv.cc",
        "native/optim.cc",
        "native/vmath.cc",
        "native/rnn.cc",
        "native/attention.cc",
        "native/pooling.cc",
        "native/ctc.cc",
        "native/storage.cc"
      ],
      "cflags_cc": ["<@(cr_cflags)"],
      "cflags_cc!": ["-O2", "-O0"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=gnu++17", "-ffp-contract=off"],
        "GCC_ENABLE_CPP_EXCEPTIONS": "NO"
      },
      "conditions": [
        ["target_arch=='x64'", {
          "dependencies": ["chainrule_gemm_avx512", "chainrule_gemm_avx2"],
          "defines": ["CR_X86_KERNELS"]
        }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "chainrule_gemm_avx512",
          "type": "static_library",
          "sources": ["native/gemm_avx512.cc"],
          "cflags_cc": ["<@(cr_cflags)", "-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma", "-ffp-contract=fast"],
          "cflags_cc!": ["-O2", "-O0"],
          "xcode_settings": {
            "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=gnu++17", "-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl", "-mavx2", "-mfma"]
          }
        },
        {
          "target_name": "chainrule_gemm_avx2",
          "type": "static_library",
          "sources": ["native/gemm_avx2.cc"],
          "cflags_cc": ["<@(cr_cflags)", "-mavx2", "-mfma", "-ffp-contract=fast"],
          "cflags_cc!": ["-O2", "-O0"],
          "xcode_settings": {
            "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=gnu++17", "-mavx2", "-mfma"]
          }
        }
      ]
    }]
  ]
}
