;; chainrule's WebAssembly SIMD GEMM: C += A·B over operands packed by src/backend/wasm/pack.ts.
;; Assembled by scripts/build-wasm.mjs (wabt) into gemm-bytes.ts; keep the binary under 4 KB so
;; browsers compile it synchronously on the main thread.
;;
;; Layout (byte addresses in the exported memory, element size 4 for f32 and 8 for f64):
;;   A is cut into blocks of KC = 256 depth steps; block p0 holds mp panels of MR = 4 rows, each
;;     panel kc steps of 4 values (row-interleaved): A(4i + r, p0 + p) at a + (p0·4mp + i·4kc + 4p + r)·es.
;;   B likewise in np panels of NR columns (NR = 8 for f32, 4 for f64, i.e. 32 bytes a step):
;;     B(p0 + p, NR·j + c) at b + (p0·NR·np + j·NR·kc + NR·p + c)·es.
;;   C is row-major, 4mp rows by np panels (a row is np·32 bytes); the kernel adds to it.
;; Rows and columns past the matrix are zero in the packed panels, so every tile is full.
;;
;; Micro-kernel: a 4 × 32-byte tile of C in eight v128 accumulators (4 × 8 f32 or 4 × 4 f64). Each
;; depth step loads two vectors of B, broadcasts each of the four values of A and multiplies and
;; adds (baseline SIMD has no fused multiply-add). Eleven live vectors fit the 16 registers of x64
;; and arm64; a 6-row tile (15 live vectors) spills in V8 and runs slower.
;;
;; Loops (BLIS order): depth block p0 > row block of MC = 12 panels (48 rows, 48 KB of f32 A in L2)
;; > column panel j (one 8 KB B panel in L1) > row panel i.
(module
  (memory (export "memory") 1)

  ;; C[4 × 8] += A panel · B panel over kc >= 1 steps (f32); ldc is the byte length of a C row.
  (func $k32 (param $a i32) (param $b i32) (param $c i32) (param $kc i32) (param $ldc i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (loop $k
      (local.set $b0 (v128.load (local.get $b)))
      (local.set $b1 (v128.load offset=16 (local.get $b)))
      (local.set $x (v128.load32_splat (local.get $a)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load32_splat offset=4 (local.get $a)))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load32_splat offset=8 (local.get $a)))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load32_splat offset=12 (local.get $a)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
    (v128.store (local.get $c) (f32x4.add (v128.load (local.get $c)) (local.get $c00)))
    (v128.store offset=16 (local.get $c) (f32x4.add (v128.load offset=16 (local.get $c)) (local.get $c01)))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (v128.store (local.get $c) (f32x4.add (v128.load (local.get $c)) (local.get $c10)))
    (v128.store offset=16 (local.get $c) (f32x4.add (v128.load offset=16 (local.get $c)) (local.get $c11)))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (v128.store (local.get $c) (f32x4.add (v128.load (local.get $c)) (local.get $c20)))
    (v128.store offset=16 (local.get $c) (f32x4.add (v128.load offset=16 (local.get $c)) (local.get $c21)))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (v128.store (local.get $c) (f32x4.add (v128.load (local.get $c)) (local.get $c30)))
    (v128.store offset=16 (local.get $c) (f32x4.add (v128.load offset=16 (local.get $c)) (local.get $c31))))

  ;; C[4 × 4] += A panel · B panel over kc >= 1 steps (f64).
  (func $k64 (param $a i32) (param $b i32) (param $c i32) (param $kc i32) (param $ldc i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (loop $k
      (local.set $b0 (v128.load (local.get $b)))
      (local.set $b1 (v128.load offset=16 (local.get $b)))
      (local.set $x (v128.load64_splat (local.get $a)))
      (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x) (local.get $b0))))
      (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load64_splat offset=8 (local.get $a)))
      (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $x) (local.get $b0))))
      (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load64_splat offset=16 (local.get $a)))
      (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $x) (local.get $b0))))
      (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load64_splat offset=24 (local.get $a)))
      (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $x) (local.get $b0))))
      (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $x) (local.get $b1))))
      (local.set $a (i32.add (local.get $a) (i32.const 32)))
      (local.set $b (i32.add (local.get $b) (i32.const 32)))
      (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
    (v128.store (local.get $c) (f64x2.add (v128.load (local.get $c)) (local.get $c00)))
    (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c)) (local.get $c01)))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (v128.store (local.get $c) (f64x2.add (v128.load (local.get $c)) (local.get $c10)))
    (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c)) (local.get $c11)))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (v128.store (local.get $c) (f64x2.add (v128.load (local.get $c)) (local.get $c20)))
    (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c)) (local.get $c21)))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (v128.store (local.get $c) (f64x2.add (v128.load (local.get $c)) (local.get $c30)))
    (v128.store offset=16 (local.get $c) (f64x2.add (v128.load offset=16 (local.get $c)) (local.get $c31))))

  ;; C += A·B for packed A (mp row panels), B (np column panels) and depth k; f64 != 0 selects
  ;; the float64 kernel. Does nothing when any of mp, np, k is 0.
  (func (export "gemm") (param $a i32) (param $b i32) (param $c i32) (param $mp i32) (param $np i32) (param $k i32) (param $f64 i32)
    (local $as i32) (local $ldc i32) (local $p0 i32) (local $kc i32) (local $ab i32) (local $bb i32)
    (local $i0 i32) (local $i1 i32) (local $i i32) (local $j i32) (local $pa i32) (local $pb i32) (local $pc i32)
    ;; bytes of one depth step of an A panel: 4 values
    (if (i32.eqz (i32.and (i32.and (i32.ne (local.get $mp) (i32.const 0)) (i32.ne (local.get $np) (i32.const 0))) (i32.ne (local.get $k) (i32.const 0))))
      (then (return)))
    (local.set $as (select (i32.const 32) (i32.const 16) (local.get $f64)))
    (local.set $ldc (i32.shl (local.get $np) (i32.const 5)))
    (loop $depth
      (local.set $kc (i32.sub (local.get $k) (local.get $p0)))
      (local.set $kc (select (i32.const 256) (local.get $kc) (i32.gt_u (local.get $kc) (i32.const 256))))
      (local.set $ab (i32.add (local.get $a) (i32.mul (i32.mul (local.get $p0) (local.get $mp)) (local.get $as))))
      (local.set $bb (i32.add (local.get $b) (i32.shl (i32.mul (local.get $p0) (local.get $np)) (i32.const 5))))
      (local.set $i0 (i32.const 0))
      (loop $rows
        (local.set $i1 (i32.add (local.get $i0) (i32.const 12)))
        (local.set $i1 (select (local.get $mp) (local.get $i1) (i32.gt_u (local.get $i1) (local.get $mp))))
        (local.set $j (i32.const 0))
        (loop $cols
          (local.set $pb (i32.add (local.get $bb) (i32.shl (i32.mul (local.get $j) (local.get $kc)) (i32.const 5))))
          (local.set $i (local.get $i0))
          (loop $panel
            (local.set $pa (i32.add (local.get $ab) (i32.mul (i32.mul (local.get $i) (local.get $kc)) (local.get $as))))
            (local.set $pc (i32.add (local.get $c)
              (i32.add (i32.shl (i32.mul (local.get $i) (local.get $ldc)) (i32.const 2)) (i32.shl (local.get $j) (i32.const 5)))))
            (if (local.get $f64)
              (then (call $k64 (local.get $pa) (local.get $pb) (local.get $pc) (local.get $kc) (local.get $ldc)))
              (else (call $k32 (local.get $pa) (local.get $pb) (local.get $pc) (local.get $kc) (local.get $ldc))))
            (br_if $panel (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $i1))))
          (br_if $cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $np))))
        (br_if $rows (i32.lt_u (local.tee $i0 (local.get $i1)) (local.get $mp))))
      (br_if $depth (i32.lt_u (local.tee $p0 (i32.add (local.get $p0) (i32.const 256))) (local.get $k))))))
