;; chainrule's WebAssembly SIMD GEMM: C += A·B over packed operands, the packing itself, and a few
;; elementwise kernels (add, sub, mul, div, relu) for large arrays.
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
;; adds (baseline SIMD has no fused multiply-add; scripts/build-wasm.mjs derives a second build in
;; which each multiply-add is one relaxed_madd, for engines with relaxed SIMD). Eleven live vectors fit the 16 registers of x64
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
    (call $gemmRows (local.get $a) (local.get $b) (local.get $c) (local.get $mp) (local.get $np) (local.get $k) (local.get $f64)
      (i32.const 0) (local.get $mp)))
  ;; The same for the row panels r0 <= i < r1 only (the rows of C that one thread of a pool writes).
  (func $gemmRows (export "gemmRows") (param $a i32) (param $b i32) (param $c i32) (param $mp i32) (param $np i32) (param $k i32) (param $f64 i32)
    (param $r0 i32) (param $r1 i32)
    (local $as i32) (local $ldc i32) (local $p0 i32) (local $kc i32) (local $ab i32) (local $bb i32)
    (local $i0 i32) (local $i1 i32) (local $i i32) (local $j i32) (local $pa i32) (local $pb i32) (local $pc i32)
    (if (i32.eqz (i32.and (i32.and (i32.lt_u (local.get $r0) (local.get $r1)) (i32.ne (local.get $np) (i32.const 0))) (i32.ne (local.get $k) (i32.const 0))))
      (then (return)))
    ;; bytes of one depth step of an A panel: 4 values
    (local.set $as (select (i32.const 32) (i32.const 16) (local.get $f64)))
    (local.set $ldc (i32.shl (local.get $np) (i32.const 5)))
    (loop $depth
      (local.set $kc (i32.sub (local.get $k) (local.get $p0)))
      (local.set $kc (select (i32.const 256) (local.get $kc) (i32.gt_u (local.get $kc) (i32.const 256))))
      (local.set $ab (i32.add (local.get $a) (i32.mul (i32.mul (local.get $p0) (local.get $mp)) (local.get $as))))
      (local.set $bb (i32.add (local.get $b) (i32.shl (i32.mul (local.get $p0) (local.get $np)) (i32.const 5))))
      (local.set $i0 (local.get $r0))
      (loop $rows
        (local.set $i1 (i32.add (local.get $i0) (i32.const 12)))
        (local.set $i1 (select (local.get $r1) (local.get $i1) (i32.gt_u (local.get $i1) (local.get $r1))))
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
        (br_if $rows (i32.lt_u (local.tee $i0 (local.get $i1)) (local.get $r1))))
      (br_if $depth (i32.lt_u (local.tee $p0 (i32.add (local.get $p0) (i32.const 256))) (local.get $k)))))
  ;; Packing from a staged copy of an operand (src/backend/wasm/matmul.ts copies it into this memory,
  ;; zero-padded to whole panels). Both write the panel layout described at the top, for `panels`
  ;; panels over depth k.

  ;; Stored with a panel's values side by side: value (p, w) of panel j at src + p·ld + j·wb + w·es
  ;; (op(A) = Aᵀ, or B as given). Each depth step copies one wb-byte piece of a row (wb = 16 or 32).
  (func (export "packPanels") (param $src i32) (param $ld i32) (param $dst i32) (param $panels i32) (param $k i32) (param $wb i32)
    (local $p0 i32) (local $kc i32) (local $j i32) (local $p i32) (local $s i32)
    (if (i32.or (i32.eqz (local.get $panels)) (i32.eqz (local.get $k))) (then (return)))
    (loop $depth
      (local.set $kc (i32.sub (local.get $k) (local.get $p0)))
      (local.set $kc (select (i32.const 256) (local.get $kc) (i32.gt_u (local.get $kc) (i32.const 256))))
      (local.set $j (i32.const 0))
      (loop $panel
        (local.set $s (i32.add (local.get $src) (i32.add (i32.mul (local.get $p0) (local.get $ld)) (i32.mul (local.get $j) (local.get $wb)))))
        (local.set $p (local.get $kc))
        (loop $step
          (v128.store (local.get $dst) (v128.load (local.get $s)))
          (if (i32.eq (local.get $wb) (i32.const 32))
            (then (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $s)))))
          (local.set $dst (i32.add (local.get $dst) (local.get $wb)))
          (local.set $s (i32.add (local.get $s) (local.get $ld)))
          (br_if $step (local.tee $p (i32.sub (local.get $p) (i32.const 1)))))
        (br_if $panel (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $panels))))
      (br_if $depth (i32.lt_u (local.tee $p0 (i32.add (local.get $p0) (i32.const 256))) (local.get $k)))))

  ;; Stored along the depth (f32): value (p, r) of panel j at src + (j·w + r)·ld + 4p, w = 4 or 8
  ;; rows a panel (op(A) = A as given, or Bᵀ). Transposes 4 × 4 blocks with shuffles.
  (func (export "packDepth32") (param $src i32) (param $ld i32) (param $dst i32) (param $panels i32) (param $k i32) (param $w i32)
    (local $p0 i32) (local $kc i32) (local $j i32) (local $g i32) (local $p i32) (local $s i32) (local $d i32) (local $step i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (if (i32.or (i32.eqz (local.get $panels)) (i32.eqz (local.get $k))) (then (return)))
    ;; bytes of one depth step of a packed panel
    (local.set $step (i32.shl (local.get $w) (i32.const 2)))
    (loop $depth
      (local.set $kc (i32.sub (local.get $k) (local.get $p0)))
      (local.set $kc (select (i32.const 256) (local.get $kc) (i32.gt_u (local.get $kc) (i32.const 256))))
      (local.set $j (i32.const 0))
      (loop $panel
        (local.set $g (i32.const 0))
        (loop $group
          ;; rows j·w + g .. j·w + g + 3 from depth p0 go to lanes g .. g + 3 of each step
          (local.set $s (i32.add (local.get $src)
            (i32.add (i32.mul (i32.add (i32.mul (local.get $j) (local.get $w)) (local.get $g)) (local.get $ld)) (i32.shl (local.get $p0) (i32.const 2)))))
          (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $g) (i32.const 2))))
          (local.set $p (i32.const 0))
          (block $done
            (loop $four
              (br_if $done (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $kc)))
              (local.set $r0 (v128.load (local.get $s)))
              (local.set $r1 (v128.load (i32.add (local.get $s) (local.get $ld))))
              (local.set $r2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $ld) (i32.const 1)))))
              (local.set $r3 (v128.load (i32.add (local.get $s) (i32.mul (local.get $ld) (i32.const 3)))))
              (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
              (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
              (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
              (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
              (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
              (local.set $d (i32.add (local.get $d) (local.get $step)))
              (v128.store (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
              (local.set $d (i32.add (local.get $d) (local.get $step)))
              (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
              (local.set $d (i32.add (local.get $d) (local.get $step)))
              (v128.store (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
              (local.set $d (i32.add (local.get $d) (local.get $step)))
              (local.set $s (i32.add (local.get $s) (i32.const 16)))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (br $four)))
          ;; the last kc mod 4 steps one value at a time
          (block $end
            (loop $one
              (br_if $end (i32.ge_u (local.get $p) (local.get $kc)))
              (f32.store (local.get $d) (f32.load (local.get $s)))
              (f32.store offset=4 (local.get $d) (f32.load (i32.add (local.get $s) (local.get $ld))))
              (f32.store offset=8 (local.get $d) (f32.load (i32.add (local.get $s) (i32.shl (local.get $ld) (i32.const 1)))))
              (f32.store offset=12 (local.get $d) (f32.load (i32.add (local.get $s) (i32.mul (local.get $ld) (i32.const 3)))))
              (local.set $d (i32.add (local.get $d) (local.get $step)))
              (local.set $s (i32.add (local.get $s) (i32.const 4)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br $one)))
          (br_if $group (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 4))) (local.get $w))))
        (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $kc) (local.get $step))))
        (br_if $panel (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $panels))))
      (br_if $depth (i32.lt_u (local.tee $p0 (i32.add (local.get $p0) (i32.const 256))) (local.get $k)))))

  ;; Stored along the depth (f64): value (p, r) of panel j at src + (4j + r)·ld + 8p, 4 rows a panel.
  ;; Transposes 2 × 2 blocks with shuffles.
  (func (export "packDepth64") (param $src i32) (param $ld i32) (param $dst i32) (param $panels i32) (param $k i32)
    (local $p0 i32) (local $kc i32) (local $j i32) (local $g i32) (local $p i32) (local $s i32) (local $d i32)
    (local $r0 v128) (local $r1 v128)
    (if (i32.or (i32.eqz (local.get $panels)) (i32.eqz (local.get $k))) (then (return)))
    (loop $depth
      (local.set $kc (i32.sub (local.get $k) (local.get $p0)))
      (local.set $kc (select (i32.const 256) (local.get $kc) (i32.gt_u (local.get $kc) (i32.const 256))))
      (local.set $j (i32.const 0))
      (loop $panel
        (local.set $g (i32.const 0))
        (loop $group
          (local.set $s (i32.add (local.get $src)
            (i32.add (i32.mul (i32.add (i32.shl (local.get $j) (i32.const 2)) (local.get $g)) (local.get $ld)) (i32.shl (local.get $p0) (i32.const 3)))))
          (local.set $d (i32.add (local.get $dst) (i32.shl (local.get $g) (i32.const 3))))
          (local.set $p (i32.const 0))
          (block $done
            (loop $two
              (br_if $done (i32.gt_u (i32.add (local.get $p) (i32.const 2)) (local.get $kc)))
              (local.set $r0 (v128.load (local.get $s)))
              (local.set $r1 (v128.load (i32.add (local.get $s) (local.get $ld))))
              (v128.store (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $r0) (local.get $r1)))
              (v128.store offset=32 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $r0) (local.get $r1)))
              (local.set $d (i32.add (local.get $d) (i32.const 64)))
              (local.set $s (i32.add (local.get $s) (i32.const 16)))
              (local.set $p (i32.add (local.get $p) (i32.const 2)))
              (br $two)))
          (if (i32.lt_u (local.get $p) (local.get $kc))
            (then
              (f64.store (local.get $d) (f64.load (local.get $s)))
              (f64.store offset=8 (local.get $d) (f64.load (i32.add (local.get $s) (local.get $ld))))))
          (br_if $group (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 2))) (i32.const 4))))
        (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $kc) (i32.const 5))))
        (br_if $panel (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $panels))))
      (br_if $depth (i32.lt_u (local.tee $p0 (i32.add (local.get $p0) (i32.const 256))) (local.get $k)))))
;; Packing through offset tables (the strided GEMM of the convolutions, src/backend/wasm/matmul.ts):
  ;; lane l of panel j at depth q is the value at src + (lanes[j·w + l] + depth[q])·es, lanes at or
  ;; past nl are zero; lanes and depth are i32 element offsets. Writes the panel layout above (w = 4
  ;; rows of A, or 8 (f32) / 4 (f64) columns of B). Four lanes whose offsets are consecutive (a run
  ;; along an image row) move as one vector, the others one value at a time.
  (func (export "packTable") (param $src i32) (param $lanes i32) (param $depth i32) (param $dst i32) (param $panels i32)
    (param $nl i32) (param $k i32) (param $w i32) (param $f64 i32)
    (local $p0 i32) (local $kc i32) (local $j i32) (local $p i32) (local $g i32) (local $l i32) (local $i i32)
    (local $dp i32) (local $sh i32) (local $runs i32) (local $a i32)
    (if (i32.or (i32.eqz (local.get $panels)) (i32.eqz (local.get $k))) (then (return)))
    (local.set $sh (select (i32.const 3) (i32.const 2) (local.get $f64)))
    (loop $blocks
      (local.set $kc (i32.sub (local.get $k) (local.get $p0)))
      (local.set $kc (select (i32.const 256) (local.get $kc) (i32.gt_u (local.get $kc) (i32.const 256))))
      (local.set $j (i32.const 0))
      (loop $panel
        ;; bit g/4 of runs: lanes j·w + g .. + 3 are all present and consecutive
        (local.set $runs (i32.const 0))
        (local.set $g (i32.const 0))
        (loop $group
          (local.set $i (i32.add (i32.mul (local.get $j) (local.get $w)) (local.get $g)))
          (local.set $a (i32.load (i32.add (local.get $lanes) (i32.shl (local.get $i) (i32.const 2)))))
          (if (i32.and (i32.le_u (i32.add (local.get $i) (i32.const 4)) (local.get $nl))
                (i32.and (i32.eq (i32.load offset=4 (i32.add (local.get $lanes) (i32.shl (local.get $i) (i32.const 2)))) (i32.add (local.get $a) (i32.const 1)))
                  (i32.and (i32.eq (i32.load offset=8 (i32.add (local.get $lanes) (i32.shl (local.get $i) (i32.const 2)))) (i32.add (local.get $a) (i32.const 2)))
                    (i32.eq (i32.load offset=12 (i32.add (local.get $lanes) (i32.shl (local.get $i) (i32.const 2)))) (i32.add (local.get $a) (i32.const 3))))))
            (then (local.set $runs (i32.or (local.get $runs) (i32.shl (i32.const 1) (i32.shr_u (local.get $g) (i32.const 2)))))))
          (br_if $group (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 4))) (local.get $w))))
        (local.set $p (i32.const 0))
        (loop $step
          (local.set $dp (i32.load (i32.add (local.get $depth) (i32.shl (i32.add (local.get $p0) (local.get $p)) (i32.const 2)))))
          (local.set $g (i32.const 0))
          (loop $group2
            (local.set $i (i32.add (i32.mul (local.get $j) (local.get $w)) (local.get $g)))
            (if (i32.and (local.get $runs) (i32.shl (i32.const 1) (i32.shr_u (local.get $g) (i32.const 2))))
              (then
                (local.set $a (i32.add (local.get $src)
                  (i32.shl (i32.add (i32.load (i32.add (local.get $lanes) (i32.shl (local.get $i) (i32.const 2)))) (local.get $dp)) (local.get $sh))))
                (v128.store (local.get $dst) (v128.load (local.get $a)))
                (if (local.get $f64) (then (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $a))))))
              (else
                (local.set $l (i32.const 0))
                (loop $lane
                  (local.set $a (i32.add (local.get $src)
                    (i32.shl (i32.add (i32.load (i32.add (local.get $lanes) (i32.shl (local.get $i) (i32.const 2)))) (local.get $dp)) (local.get $sh))))
                  (if (local.get $f64)
                    (then (f64.store (i32.add (local.get $dst) (i32.shl (local.get $l) (i32.const 3)))
                      (select (f64.load (local.get $a)) (f64.const 0) (i32.lt_u (local.get $i) (local.get $nl)))))
                    (else (f32.store (i32.add (local.get $dst) (i32.shl (local.get $l) (i32.const 2)))
                      (select (f32.load (local.get $a)) (f32.const 0) (i32.lt_u (local.get $i) (local.get $nl))))))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $lane (i32.lt_u (local.tee $l (i32.add (local.get $l) (i32.const 1))) (i32.const 4))))))
            (local.set $dst (i32.add (local.get $dst) (i32.shl (i32.const 4) (local.get $sh))))
            (br_if $group2 (i32.lt_u (local.tee $g (i32.add (local.get $g) (i32.const 4))) (local.get $w))))
          (br_if $step (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $kc))))
        (br_if $panel (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $panels))))
      (br_if $blocks (i32.lt_u (local.tee $p0 (i32.add (local.get $p0) (i32.const 256))) (local.get $k)))))
  ;; Elementwise kernels for large float arrays (src/backend/wasm/elementwise.ts stages them here).

  ;; o[i] = x[i] op y[i mod p] for i < n (op: 0 add, 1 sub, 2 mul, 3 div; f32): y is a row of p
  ;; values repeated along x (p = n: same shape).
  (func (export "binary32") (param $op i32) (param $x i32) (param $y i32) (param $o i32) (param $n i32) (param $p i32)
    (local $end i32) (local $yy i32) (local $len i32) (local $u v128) (local $v v128) (local $s f32) (local $t f32)
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $len (select (local.get $p) (local.get $n) (i32.lt_u (local.get $p) (local.get $n))))
        (local.set $n (i32.sub (local.get $n) (local.get $len)))
        (local.set $end (i32.add (local.get $o) (i32.shl (local.get $len) (i32.const 2))))
        (local.set $yy (local.get $y))
        (block $vdone
          (loop $vec
            (br_if $vdone (i32.gt_u (i32.add (local.get $o) (i32.const 16)) (local.get $end)))
            (local.set $u (v128.load (local.get $x)))
            (local.set $v (v128.load (local.get $yy)))
            (v128.store (local.get $o)
              (if (result v128) (i32.eqz (local.get $op))
                (then (f32x4.add (local.get $u) (local.get $v)))
                (else (if (result v128) (i32.eq (local.get $op) (i32.const 1))
                  (then (f32x4.sub (local.get $u) (local.get $v)))
                  (else (if (result v128) (i32.eq (local.get $op) (i32.const 2))
                    (then (f32x4.mul (local.get $u) (local.get $v)))
                    (else (f32x4.div (local.get $u) (local.get $v)))))))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (local.set $yy (i32.add (local.get $yy) (i32.const 16)))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $vec)))
        (block $sdone
          (loop $one
            (br_if $sdone (i32.ge_u (local.get $o) (local.get $end)))
            (local.set $s (f32.load (local.get $x)))
            (local.set $t (f32.load (local.get $yy)))
            (f32.store (local.get $o)
              (if (result f32) (i32.eqz (local.get $op))
                (then (f32.add (local.get $s) (local.get $t)))
                (else (if (result f32) (i32.eq (local.get $op) (i32.const 1))
                  (then (f32.sub (local.get $s) (local.get $t)))
                  (else (if (result f32) (i32.eq (local.get $op) (i32.const 2))
                    (then (f32.mul (local.get $s) (local.get $t)))
                    (else (f32.div (local.get $s) (local.get $t)))))))))
            (local.set $x (i32.add (local.get $x) (i32.const 4)))
            (local.set $yy (i32.add (local.get $yy) (i32.const 4)))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (br $one)))
        (br $row))))

  ;; The same for f64.
  (func (export "binary64") (param $op i32) (param $x i32) (param $y i32) (param $o i32) (param $n i32) (param $p i32)
    (local $end i32) (local $yy i32) (local $len i32) (local $u v128) (local $v v128) (local $s f64) (local $t f64)
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $len (select (local.get $p) (local.get $n) (i32.lt_u (local.get $p) (local.get $n))))
        (local.set $n (i32.sub (local.get $n) (local.get $len)))
        (local.set $end (i32.add (local.get $o) (i32.shl (local.get $len) (i32.const 3))))
        (local.set $yy (local.get $y))
        (block $vdone
          (loop $vec
            (br_if $vdone (i32.gt_u (i32.add (local.get $o) (i32.const 16)) (local.get $end)))
            (local.set $u (v128.load (local.get $x)))
            (local.set $v (v128.load (local.get $yy)))
            (v128.store (local.get $o)
              (if (result v128) (i32.eqz (local.get $op))
                (then (f64x2.add (local.get $u) (local.get $v)))
                (else (if (result v128) (i32.eq (local.get $op) (i32.const 1))
                  (then (f64x2.sub (local.get $u) (local.get $v)))
                  (else (if (result v128) (i32.eq (local.get $op) (i32.const 2))
                    (then (f64x2.mul (local.get $u) (local.get $v)))
                    (else (f64x2.div (local.get $u) (local.get $v)))))))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (local.set $yy (i32.add (local.get $yy) (i32.const 16)))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $vec)))
        (if (i32.lt_u (local.get $o) (local.get $end))
          (then
            (local.set $s (f64.load (local.get $x)))
            (local.set $t (f64.load (local.get $yy)))
            (f64.store (local.get $o)
              (if (result f64) (i32.eqz (local.get $op))
                (then (f64.add (local.get $s) (local.get $t)))
                (else (if (result f64) (i32.eq (local.get $op) (i32.const 1))
                  (then (f64.sub (local.get $s) (local.get $t)))
                  (else (if (result f64) (i32.eq (local.get $op) (i32.const 2))
                    (then (f64.mul (local.get $s) (local.get $t)))
                    (else (f64.div (local.get $s) (local.get $t)))))))))
            (local.set $x (i32.add (local.get $x) (i32.const 8)))
            (local.set $o (i32.add (local.get $o) (i32.const 8)))))
        (br $row))))

  ;; o[i] = x[i] < 0 ? 0 : x[i] for i < n (NaN and -0 pass through, as PyTorch's relu), f32 (f64 != 0: f64).
  (func (export "relu") (param $x i32) (param $o i32) (param $n i32) (param $f64 i32)
    (local $end i32) (local $u v128)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (select (i32.const 3) (i32.const 2) (local.get $f64)))))
    (block $vdone
      (loop $vec
        (br_if $vdone (i32.gt_u (i32.add (local.get $o) (i32.const 16)) (local.get $end)))
        (local.set $u (v128.load (local.get $x)))
        (v128.store (local.get $o)
          (v128.andnot (local.get $u)
            (if (result v128) (local.get $f64)
              (then (f64x2.lt (local.get $u) (v128.const i64x2 0 0)))
              (else (f32x4.lt (local.get $u) (v128.const i32x4 0 0 0 0))))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $vec)))
    ;; the last n mod 4 (f32) or n mod 2 (f64) values
    (block $sdone
      (loop $one
        (br_if $sdone (i32.ge_u (local.get $o) (local.get $end)))
        (if (local.get $f64)
          (then
            (f64.store (local.get $o) (select (f64.const 0) (f64.load (local.get $x)) (f64.lt (f64.load (local.get $x)) (f64.const 0))))
            (local.set $x (i32.add (local.get $x) (i32.const 8)))
            (local.set $o (i32.add (local.get $o) (i32.const 8))))
          (else
            (f32.store (local.get $o) (select (f32.const 0) (f32.load (local.get $x)) (f32.lt (f32.load (local.get $x)) (f32.const 0))))
            (local.set $x (i32.add (local.get $x) (i32.const 4)))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))))
        (br $one)))))
