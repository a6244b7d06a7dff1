;; chainrule's fused scaled dot-product attention on WebAssembly SIMD (the algorithm of
;; FlashAttention-2, as native/attention.cc): float32 and float64, forward and backward, one block
;; (a batch and head) per call; src/backend/wasm/attention.ts stages the arrays and calls it.
;; Assembled by scripts/build-wasm.mjs (wabt) into attention-bytes.ts.
;;
;; Forward: for each block of 64 queries, the keys in tiles of 64: the tile's scores (Q·Kᵀ by a
;; register-tiled product against the keys packed transposed), scaled and masked, an online
;; softmax (the rows' running maximum and sum, the output accumulator rescaled when the maximum
;; moves), then acc += P·V. Only each row's maximum and sum are kept (the log-sum-exp). Causal
;; attention skips the tiles above the diagonal. Backward: per key tile, per query block, P is
;; recomputed from the log-sum-exp, dP = dO·Vᵀ, dS = scale·P ⊙ (F ⊙ dP − D) (F the dropout
;; factors, D = rowsum(dO ⊙ out)), and dV += (P ⊙ F)ᵀ·dO, dK += dSᵀ·Q, dQ += dS·K. Nothing of size
;; L × S exists: the scratch is a few 64 × 64 tiles and arrays linear in L and S.
;;
;; Exponentials are polynomial (exp32 and exp64 below; wasm has no exp instruction); the dropout
;; mask is attentionKeep's hash (src/backend/types.ts), so every backend draws the same one.
;; Tile rows are 64 values (256 bytes in f32, 512 in f64); products write whole 32-byte chunks of
;; their rows, so outputs narrower than that land in padded scratch and are copied out.
(module
  (memory (export "memory") 1)

  (func $min (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.lt_s (local.get $a) (local.get $b))))

  ;; murmur3's 32-bit finaliser (src/backend/types.ts, fmix32)
  (func $fmix (param $h i32) (result i32)
    (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))
    (local.set $h (i32.mul (local.get $h) (i32.const 0x85ebca6b)))
    (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 13))))
    (local.set $h (i32.mul (local.get $h) (i32.const 0xc2b2ae35)))
    (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))

  ;; fmix in each of four lanes
  (func $fmix4 (param $h v128) (result v128)
    (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
    (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x85ebca6b 0x85ebca6b 0x85ebca6b 0x85ebca6b)))
    (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 13))))
    (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35 0xc2b2ae35)))
    (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))

  ;; attentionKeep(seed, idx, thr): the dropout mask's bit of weight index idx
  (func $keep (param $idx i64) (param $seed i32) (param $thr i32) (result i32)
    (i32.ge_u
      (call $fmix (i32.xor (i32.wrap_i64 (local.get $idx)) (call $fmix (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $idx) (i64.const 32))) (local.get $seed)))))
      (local.get $thr)))

  ;; dst[c][r] = src[r][c] for r < rows, c < cols, dst rows 64 values long and 0 from r = rows on
  ;; (es = 4 or 8 bytes a value; ld: bytes from one src row to the next).
  (func $packT (param $src i32) (param $ld i32) (param $dst i32) (param $rows i32) (param $cols i32) (param $es i32)
    (local $r i32) (local $c i32) (local $s i32) (local $d i32) (local $dstep i32)
    (local.set $dstep (i32.shl (local.get $es) (i32.const 6)))
    (memory.fill (local.get $dst) (i32.const 0) (i32.mul (local.get $cols) (local.get $dstep)))
    (if (i32.eqz (local.get $cols)) (then (return)))
    (loop $row
      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $ld))))
      (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $r) (local.get $es))))
      (local.set $c (local.get $cols))
      (loop $col
        (if (i32.eq (local.get $es) (i32.const 4))
          (then (i32.store (local.get $d) (i32.load (local.get $s))))
          (else (i64.store (local.get $d) (i64.load (local.get $s)))))
        (local.set $s (i32.add (local.get $s) (local.get $es)))
        (local.set $d (i32.add (local.get $d) (local.get $dstep)))
        (br_if $col (local.tee $c (i32.sub (local.get $c) (i32.const 1)))))
      (br_if $row (i32.lt_s (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows)))))

  ;; rows rows of n bytes from src (a row every lds bytes) to dst (every n bytes)
  (func $copyRows (param $src i32) (param $lds i32) (param $dst i32) (param $n i32) (param $rows i32)
    (block $done
      (loop $row
        (br_if $done (i32.eqz (local.get $rows)))
        (memory.copy (local.get $dst) (local.get $src) (local.get $n))
        (local.set $src (i32.add (local.get $src) (local.get $lds)))
        (local.set $dst (i32.add (local.get $dst) (local.get $n)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $row))))

  ;; C (+)= A·B (f32): m rows, n chunks of 32 bytes, k depth steps. A(r, d) is at a + r·ars + d·acs
  ;; (any strides: a row of P, or a column of it for Pᵀ), row d of B at b + d·ldb (n·32 bytes of it
  ;; are read), row r of C at c + r·ldc; beta = 1 adds to C, 0 overwrites it. Tiles of 4 rows × 32
  ;; bytes in eight accumulators, as gemm.wat's micro-kernel, then single rows.
  (func $mm32 (param $a i32) (param $ars i32) (param $acs i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32)
    (param $m i32) (param $n i32) (param $k i32) (param $beta i32)
    (local $i i32) (local $j i32) (local $d i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $rows i32)
    (local $ars2 i32) (local $ars3 i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local.set $ars2 (i32.shl (local.get $ars) (i32.const 1)))
    (local.set $ars3 (i32.add (local.get $ars2) (local.get $ars)))
    (block $done
      (loop $rowBlock
        (br_if $done (i32.ge_s (local.get $i) (local.get $m)))
        (local.set $rows (select (i32.const 4) (i32.const 1) (i32.le_s (i32.add (local.get $i) (i32.const 4)) (local.get $m))))
        (local.set $j (i32.const 0))
        (block $cols
          (loop $col
            (br_if $cols (i32.ge_s (local.get $j) (local.get $n)))
            (local.set $c00 (v128.const i64x2 0 0))
            (local.set $c01 (v128.const i64x2 0 0))
            (local.set $c10 (v128.const i64x2 0 0))
            (local.set $c11 (v128.const i64x2 0 0))
            (local.set $c20 (v128.const i64x2 0 0))
            (local.set $c21 (v128.const i64x2 0 0))
            (local.set $c30 (v128.const i64x2 0 0))
            (local.set $c31 (v128.const i64x2 0 0))
            (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ars))))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 5))))
            (local.set $d (local.get $k))
            (if (i32.eq (local.get $rows) (i32.const 4))
              (then
                (block $k4
                  (loop $depth4
                    (br_if $k4 (i32.eqz (local.get $d)))
              (local.set $b0 (v128.load (local.get $pb)))
              (local.set $b1 (v128.load offset=16 (local.get $pb)))
              (local.set $x (v128.load32_splat (local.get $pa)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
              (local.set $x (v128.load32_splat (i32.add (local.get $pa) (local.get $ars))))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
              (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
              (local.set $x (v128.load32_splat (i32.add (local.get $pa) (local.get $ars2))))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
              (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
              (local.set $x (v128.load32_splat (i32.add (local.get $pa) (local.get $ars3))))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
              (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
              (local.set $pa (i32.add (local.get $pa) (local.get $acs)))
              (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                    (local.set $d (i32.sub (local.get $d) (i32.const 1)))
                    (br $depth4))))
              (else
                (block $k1
                  (loop $depth1
                    (br_if $k1 (i32.eqz (local.get $d)))
              (local.set $b0 (v128.load (local.get $pb)))
              (local.set $b1 (v128.load offset=16 (local.get $pb)))
              (local.set $x (v128.load32_splat (local.get $pa)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
              (local.set $pa (i32.add (local.get $pa) (local.get $acs)))
              (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                    (local.set $d (i32.sub (local.get $d) (i32.const 1)))
                    (br $depth1)))))
            (local.set $pc (i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 5)))))
          (v128.store (local.get $pc) (select (f32x4.add (v128.load (local.get $pc)) (local.get $c00)) (local.get $c00) (local.get $beta)))
          (v128.store offset=16 (local.get $pc) (select (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c01)) (local.get $c01) (local.get $beta)))
            (if (i32.eq (local.get $rows) (i32.const 4))
              (then
          (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
          (v128.store (local.get $pc) (select (f32x4.add (v128.load (local.get $pc)) (local.get $c10)) (local.get $c10) (local.get $beta)))
          (v128.store offset=16 (local.get $pc) (select (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c11)) (local.get $c11) (local.get $beta)))
          (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
          (v128.store (local.get $pc) (select (f32x4.add (v128.load (local.get $pc)) (local.get $c20)) (local.get $c20) (local.get $beta)))
          (v128.store offset=16 (local.get $pc) (select (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c21)) (local.get $c21) (local.get $beta)))
          (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
          (v128.store (local.get $pc) (select (f32x4.add (v128.load (local.get $pc)) (local.get $c30)) (local.get $c30) (local.get $beta)))
          (v128.store offset=16 (local.get $pc) (select (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c31)) (local.get $c31) (local.get $beta)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $col)))
        (local.set $i (i32.add (local.get $i) (local.get $rows)))
        (br $rowBlock))))

  ;; C (+)= A·B (f64): m rows, n chunks of 32 bytes, k depth steps. A(r, d) is at a + r·ars + d·acs
  ;; (any strides: a row of P, or a column of it for Pᵀ), row d of B at b + d·ldb (n·32 bytes of it
  ;; are read), row r of C at c + r·ldc; beta = 1 adds to C, 0 overwrites it. Tiles of 4 rows × 32
  ;; bytes in eight accumulators, as gemm.wat's micro-kernel, then single rows.
  (func $mm64 (param $a i32) (param $ars i32) (param $acs i32) (param $b i32) (param $ldb i32) (param $c i32) (param $ldc i32)
    (param $m i32) (param $n i32) (param $k i32) (param $beta i32)
    (local $i i32) (local $j i32) (local $d i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $rows i32)
    (local $ars2 i32) (local $ars3 i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local.set $ars2 (i32.shl (local.get $ars) (i32.const 1)))
    (local.set $ars3 (i32.add (local.get $ars2) (local.get $ars)))
    (block $done
      (loop $rowBlock
        (br_if $done (i32.ge_s (local.get $i) (local.get $m)))
        (local.set $rows (select (i32.const 4) (i32.const 1) (i32.le_s (i32.add (local.get $i) (i32.const 4)) (local.get $m))))
        (local.set $j (i32.const 0))
        (block $cols
          (loop $col
            (br_if $cols (i32.ge_s (local.get $j) (local.get $n)))
            (local.set $c00 (v128.const i64x2 0 0))
            (local.set $c01 (v128.const i64x2 0 0))
            (local.set $c10 (v128.const i64x2 0 0))
            (local.set $c11 (v128.const i64x2 0 0))
            (local.set $c20 (v128.const i64x2 0 0))
            (local.set $c21 (v128.const i64x2 0 0))
            (local.set $c30 (v128.const i64x2 0 0))
            (local.set $c31 (v128.const i64x2 0 0))
            (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ars))))
            (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 5))))
            (local.set $d (local.get $k))
            (if (i32.eq (local.get $rows) (i32.const 4))
              (then
                (block $k4
                  (loop $depth4
                    (br_if $k4 (i32.eqz (local.get $d)))
              (local.set $b0 (v128.load (local.get $pb)))
              (local.set $b1 (v128.load offset=16 (local.get $pb)))
              (local.set $x (v128.load64_splat (local.get $pa)))
              (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x) (local.get $b0))))
              (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $x) (local.get $b1))))
              (local.set $x (v128.load64_splat (i32.add (local.get $pa) (local.get $ars))))
              (local.set $c10 (f64x2.add (local.get $c10) (f64x2.mul (local.get $x) (local.get $b0))))
              (local.set $c11 (f64x2.add (local.get $c11) (f64x2.mul (local.get $x) (local.get $b1))))
              (local.set $x (v128.load64_splat (i32.add (local.get $pa) (local.get $ars2))))
              (local.set $c20 (f64x2.add (local.get $c20) (f64x2.mul (local.get $x) (local.get $b0))))
              (local.set $c21 (f64x2.add (local.get $c21) (f64x2.mul (local.get $x) (local.get $b1))))
              (local.set $x (v128.load64_splat (i32.add (local.get $pa) (local.get $ars3))))
              (local.set $c30 (f64x2.add (local.get $c30) (f64x2.mul (local.get $x) (local.get $b0))))
              (local.set $c31 (f64x2.add (local.get $c31) (f64x2.mul (local.get $x) (local.get $b1))))
              (local.set $pa (i32.add (local.get $pa) (local.get $acs)))
              (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                    (local.set $d (i32.sub (local.get $d) (i32.const 1)))
                    (br $depth4))))
              (else
                (block $k1
                  (loop $depth1
                    (br_if $k1 (i32.eqz (local.get $d)))
              (local.set $b0 (v128.load (local.get $pb)))
              (local.set $b1 (v128.load offset=16 (local.get $pb)))
              (local.set $x (v128.load64_splat (local.get $pa)))
              (local.set $c00 (f64x2.add (local.get $c00) (f64x2.mul (local.get $x) (local.get $b0))))
              (local.set $c01 (f64x2.add (local.get $c01) (f64x2.mul (local.get $x) (local.get $b1))))
              (local.set $pa (i32.add (local.get $pa) (local.get $acs)))
              (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                    (local.set $d (i32.sub (local.get $d) (i32.const 1)))
                    (br $depth1)))))
            (local.set $pc (i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 5)))))
          (v128.store (local.get $pc) (select (f64x2.add (v128.load (local.get $pc)) (local.get $c00)) (local.get $c00) (local.get $beta)))
          (v128.store offset=16 (local.get $pc) (select (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c01)) (local.get $c01) (local.get $beta)))
            (if (i32.eq (local.get $rows) (i32.const 4))
              (then
          (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
          (v128.store (local.get $pc) (select (f64x2.add (v128.load (local.get $pc)) (local.get $c10)) (local.get $c10) (local.get $beta)))
          (v128.store offset=16 (local.get $pc) (select (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c11)) (local.get $c11) (local.get $beta)))
          (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
          (v128.store (local.get $pc) (select (f64x2.add (v128.load (local.get $pc)) (local.get $c20)) (local.get $c20) (local.get $beta)))
          (v128.store offset=16 (local.get $pc) (select (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c21)) (local.get $c21) (local.get $beta)))
          (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
          (v128.store (local.get $pc) (select (f64x2.add (v128.load (local.get $pc)) (local.get $c30)) (local.get $c30) (local.get $beta)))
          (v128.store offset=16 (local.get $pc) (select (f64x2.add (v128.load offset=16 (local.get $pc)) (local.get $c31)) (local.get $c31) (local.get $beta)))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $col)))
        (local.set $i (i32.add (local.get $i) (local.get $rows)))
        (br $rowBlock))))

  ;; e^x in each lane (f64): x = n·ln 2 + r with |r| <= ln 2 / 2 (ln 2 in two parts, fdlibm's), e^r by
  ;; its Taylor polynomial to r¹² (error under 2e-16), times 2ⁿ built in the exponent bits. x below
  ;; -708 (and -∞) gives 0. The hot loops inline the same code (exp32's too: x = n·ln 2 + r, e^r to
  ;; r⁷, error under 5e-9, 0 below -87.3).
  (func $exp64 (param $x v128) (result v128)
    (local $ex v128) (local $ey v128) (local $en v128) (local $er v128) (local $ep v128)
    (local.set $ex (local.get $x))
    (local.set $ey (f64x2.max (f64x2.min (local.get $ex) (v128.const f64x2 709 709)) (v128.const f64x2 -708 -708)))
    (local.set $en (f64x2.nearest (f64x2.mul (local.get $ey) (v128.const f64x2 1.4426950408889634 1.4426950408889634))))
    (local.set $er (f64x2.sub (local.get $ey) (f64x2.mul (local.get $en) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
    (local.set $er (f64x2.sub (local.get $er) (f64x2.mul (local.get $en) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))))
    (local.set $ep (v128.const f64x2 2.08767569878681e-9 2.08767569878681e-9))
    (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 2.505210838544172e-8 2.505210838544172e-8)))
    (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 2.755731922398589e-7 2.755731922398589e-7)))
    (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.0000027557319223985893 0.0000027557319223985893)))
    (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.0000248015873015873 0.0000248015873015873)))
    (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.0001984126984126984 0.0001984126984126984)))
    (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.001388888888888889 0.001388888888888889)))
    (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.008333333333333333 0.008333333333333333)))
    (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.041666666666666664 0.041666666666666664)))
    (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.16666666666666666 0.16666666666666666)))
    (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.5 0.5)))
    (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 1 1)))
    (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 1 1)))
    (local.set $ex (v128.and
      (f64x2.mul (local.get $ep)
        (i64x2.shl (i64x2.add (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $en))) (v128.const i64x2 1023 1023)) (i32.const 52)))
      (f64x2.ge (local.get $ex) (v128.const f64x2 -708 -708))))
    (local.get $ex))

  ;; The scores of a tile in place (f32): rows (queries i0..) of 64 keys (j0..), bk of them real:
  ;; scaled, the additive mask added or -∞ where the boolean one is 0, -∞ past the diagonal when
  ;; causal and in the padding columns (keys bk..63), so that padding counts as masked keys. The
  ;; mask's element (i, j) is at mask + i·mrs + j·mcs (bytes).
  (func $mask32 (param $s i32) (param $rows i32) (param $i0 i32) (param $j0 i32) (param $bk i32) (param $scale f64)
    (param $mask i32) (param $mrs i32) (param $mcs i32) (param $kind i32) (param $causal i32)
    (local $r i32) (local $row i32) (local $p i32) (local $end i32) (local $mo i32) (local $sc v128) (local $i i32)
    (local.set $sc (f32x4.splat (f32.demote_f64 (local.get $scale))))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $row (i32.add (local.get $s) (i32.mul (local.get $r) (i32.const 256))))
        (local.set $i (i32.add (local.get $i0) (local.get $r)))
        (local.set $mo (i32.add (local.get $mask) (i32.add (i32.mul (local.get $i) (local.get $mrs)) (i32.mul (local.get $j0) (local.get $mcs)))))
        (local.set $end (i32.add (local.get $row) (i32.shl (local.get $bk) (i32.const 2))))
        (local.set $p (local.get $row))
        (if (i32.eq (local.get $kind) (i32.const 2))
          (then
            ;; in double precision, as the native kernel
            (loop $add
              (f32.store (local.get $p) (f32.demote_f64 (f64.add (f64.mul (f64.promote_f32 (f32.load (local.get $p))) (local.get $scale)) (f64.promote_f32 (f32.load (local.get $mo))))))
              (local.set $mo (i32.add (local.get $mo) (local.get $mcs)))
              (br_if $add (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $end)))))
          (else
            (loop $scale
              (v128.store (local.get $p) (f32x4.mul (v128.load (local.get $p)) (local.get $sc)))
              (br_if $scale (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end))))
            (if (i32.eq (local.get $kind) (i32.const 1))
              (then
                (local.set $p (local.get $row))
                (loop $bool
                  (if (i32.eqz (i32.load8_u (local.get $mo))) (then (f32.store (local.get $p) (f32.const -inf))))
                  (local.set $mo (i32.add (local.get $mo) (local.get $mcs)))
                  (br_if $bool (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $end))))))))
        ;; keys from bk on, or from i - j0 + 1 on when causal, are out
        (if (local.get $causal)
          (then
            (local.set $p (i32.sub (i32.add (local.get $i) (i32.const 1)) (local.get $j0)))
            (local.set $p (select (local.get $p) (i32.const 0) (i32.gt_s (local.get $p) (i32.const 0))))
            (local.set $p (select (local.get $p) (local.get $bk) (i32.lt_s (local.get $p) (local.get $bk))))
            (local.set $end (i32.add (local.get $row) (i32.shl (local.get $p) (i32.const 2))))))
        (block $padded
          (loop $pad
            (br_if $padded (i32.ge_u (local.get $end) (i32.add (local.get $row) (i32.const 256))))
            (f32.store (local.get $end) (f32.const -inf))
            (local.set $end (i32.add (local.get $end) (i32.const 4)))
            (br $pad)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; dst[c] = src[c]·inv where attentionKeep keeps weight idx + c, else 0, for c < n (f32): four
  ;; keys at a time while their indices share the high 32 bits (then the inner hash is one), the
  ;; rest one by one.
  (func $drop32 (param $src i32) (param $dst i32) (param $n i32) (param $idx i64) (param $seed i32) (param $thr i32) (param $inv f32)
    (local $lo v128) (local $hv v128) (local $tv v128) (local $iv v128) (local $keep v128)
    (if (i64.eq (i64.shr_u (local.get $idx) (i64.const 32)) (i64.shr_u (i64.add (local.get $idx) (i64.extend_i32_u (local.get $n))) (i64.const 32)))
      (then
        (local.set $hv (i32x4.splat (call $fmix (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $idx) (i64.const 32))) (local.get $seed)))))
        (local.set $lo (i32x4.add (i32x4.splat (i32.wrap_i64 (local.get $idx))) (v128.const i32x4 0 1 2 3)))
        (local.set $tv (i32x4.splat (local.get $thr)))
        (local.set $iv (f32x4.splat (local.get $inv)))
        (block $vdone
          (loop $vec
            (br_if $vdone (i32.lt_u (local.get $n) (i32.const 4)))
            (local.set $keep (i32x4.ge_u (call $fmix4 (v128.xor (local.get $lo) (local.get $hv))) (local.get $tv)))
            (v128.store (local.get $dst) (v128.and (f32x4.mul (v128.load (local.get $src)) (local.get $iv)) (local.get $keep)))
            (local.set $lo (i32x4.add (local.get $lo) (v128.const i32x4 4 4 4 4)))
            (local.set $src (i32.add (local.get $src) (i32.const 16)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (local.set $idx (i64.add (local.get $idx) (i64.const 4)))
            (local.set $n (i32.sub (local.get $n) (i32.const 4)))
            (br $vec)))))
    (block $done
      (loop $key
        (br_if $done (i32.eqz (local.get $n)))
        (f32.store (local.get $dst)
          (select (f32.mul (f32.load (local.get $src)) (local.get $inv)) (f32.const 0) (call $keep (local.get $idx) (local.get $seed) (local.get $thr))))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $idx (i64.add (local.get $idx) (i64.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $key))))

  ;; The online softmax over one tile of scores (f32), row by row: the row's running maximum m and
  ;; sum l (f64 at m + 8r and l + 8r) move to the tile's, its output accumulator (nv vectors at
  ;; acc + r·lda) is rescaled by e^(m_old − m_new), and the scores become e^(s − m_new), with
  ;; dropout applied after they are summed. A row with every key of the tile masked adds nothing.
  (func $online32 (param $s i32) (param $rows i32) (param $m i32) (param $l i32) (param $acc i32) (param $lda i32) (param $nv i32)
    (param $bk i32) (param $inv f64) (param $thr i32) (param $seed i32) (param $idx i64) (param $S i32)
    (local $r i32) (local $row i32) (local $p i32) (local $x v128) (local $sum v128) (local $top v128) (local $mt f32)
    (local $mo f64) (local $mn f64) (local $corr f64) (local $ex v128) (local $ey v128) (local $en v128) (local $er v128) (local $ep v128)
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $row (i32.add (local.get $s) (i32.mul (local.get $r) (i32.const 256))))
        (local.set $x (v128.load (local.get $row)))
        (local.set $p (i32.add (local.get $row) (i32.const 16)))
        (loop $max
          (local.set $x (f32x4.max (local.get $x) (v128.load (local.get $p))))
          (br_if $max (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (i32.add (local.get $row) (i32.const 256)))))
        (local.set $mt (f32.max (f32.max (f32x4.extract_lane 0 (local.get $x)) (f32x4.extract_lane 1 (local.get $x))) (f32.max (f32x4.extract_lane 2 (local.get $x)) (f32x4.extract_lane 3 (local.get $x)))))
        (if (f32.eq (local.get $mt) (f32.const -inf))
          (then (memory.fill (local.get $row) (i32.const 0) (i32.const 256)))
          (else
            (local.set $mo (f64.load (i32.add (local.get $m) (i32.shl (local.get $r) (i32.const 3)))))
            (local.set $mn (f64.max (local.get $mo) (f64.promote_f32 (local.get $mt))))
            (local.set $corr (f64x2.extract_lane 0 (call $exp64 (f64x2.splat (f64.sub (local.get $mo) (local.get $mn))))))
            (local.set $top (f32x4.splat (f32.demote_f64 (local.get $mn))))
            (local.set $sum (v128.const i64x2 0 0))
            (local.set $p (local.get $row))
            (loop $exp
              (local.set $ex (f32x4.sub (v128.load (local.get $p)) (local.get $top)))
              (local.set $ey (f32x4.max (f32x4.min (local.get $ex) (v128.const f32x4 88 88 88 88)) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
              (local.set $en (f32x4.nearest (f32x4.mul (local.get $ey) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504))))
              (local.set $er (f32x4.sub (local.get $ey) (f32x4.mul (local.get $en) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
              (local.set $er (f32x4.sub (local.get $er) (f32x4.mul (local.get $en) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
              (local.set $ep (v128.const f32x4 1.98412698e-4 1.98412698e-4 1.98412698e-4 1.98412698e-4))
              (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 1.38888889e-3 1.38888889e-3 1.38888889e-3 1.38888889e-3)))
              (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 8.33333333e-3 8.33333333e-3 8.33333333e-3 8.33333333e-3)))
              (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 4.16666667e-2 4.16666667e-2 4.16666667e-2 4.16666667e-2)))
              (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 1.66666667e-1 1.66666667e-1 1.66666667e-1 1.66666667e-1)))
              (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 0.5 0.5 0.5 0.5)))
              (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 1 1 1 1)))
              (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 1 1 1 1)))
              (local.set $ex (v128.and
                (f32x4.mul (local.get $ep) (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $en)) (v128.const i32x4 127 127 127 127)) (i32.const 23)))
                (f32x4.ge (local.get $ex) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3))))
              (local.set $x (local.get $ex))
              (v128.store (local.get $p) (local.get $x))
              (local.set $sum (f32x4.add (local.get $sum) (local.get $x)))
              (br_if $exp (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (i32.add (local.get $row) (i32.const 256)))))
            (f64.store (i32.add (local.get $l) (i32.shl (local.get $r) (i32.const 3)))
              (f64.add (f64.mul (f64.load (i32.add (local.get $l) (i32.shl (local.get $r) (i32.const 3)))) (local.get $corr)) (f64.promote_f32 (f32.add (f32.add (f32x4.extract_lane 0 (local.get $sum)) (f32x4.extract_lane 1 (local.get $sum))) (f32.add (f32x4.extract_lane 2 (local.get $sum)) (f32x4.extract_lane 3 (local.get $sum)))))))
            (f64.store (i32.add (local.get $m) (i32.shl (local.get $r) (i32.const 3))) (local.get $mn))
            (if (f64.ne (local.get $corr) (f64.const 1))
              (then
                (local.set $x (f32x4.splat (f32.demote_f64 (local.get $corr))))
                (local.set $p (i32.add (local.get $acc) (i32.mul (local.get $r) (local.get $lda))))
                (block $scaled
                  (loop $rescale
                    (br_if $scaled (i32.ge_u (local.get $p) (i32.add (i32.add (local.get $acc) (i32.mul (local.get $r) (local.get $lda))) (i32.shl (local.get $nv) (i32.const 4)))))
                    (v128.store (local.get $p) (f32x4.mul (v128.load (local.get $p)) (local.get $x)))
                    (local.set $p (i32.add (local.get $p) (i32.const 16)))
                    (br $rescale)))))
            (if (f64.ne (local.get $inv) (f64.const 1))
              (then (call $drop32 (local.get $row) (local.get $row) (local.get $bk)
                (i64.add (local.get $idx) (i64.mul (i64.extend_i32_u (local.get $r)) (i64.extend_i32_u (local.get $S))))
                (local.get $seed) (local.get $thr) (f32.demote_f64 (local.get $inv)))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; The backward's rows of one tile (f32): the scores in p become P = e^(s − lse), pf gets
  ;; P with dropout (pf = p without it), and ds, holding dP = dO·Vᵀ, becomes
  ;; dS = scale·(pf ⊙ dP − P·D). A row without keys (lse NaN) is NaN throughout, and its dS is NaN
  ;; too under an additive mask, 0 under a boolean one (its keys were removed: no gradient).
  (func $rows32 (param $p i32) (param $pf i32) (param $ds i32) (param $rows i32) (param $lse i32) (param $D i32)
    (param $bk i32) (param $kind i32) (param $scale f64) (param $inv f64) (param $thr i32) (param $seed i32) (param $idx i64) (param $S i32)
    (local $r i32) (local $o i32) (local $ls f64) (local $top v128) (local $dd v128) (local $sc v128) (local $ex v128) (local $ey v128) (local $en v128) (local $er v128) (local $ep v128)
    (local.set $sc (f32x4.splat (f32.demote_f64 (local.get $scale))))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $ls (f64.load (i32.add (local.get $lse) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $o (i32.mul (local.get $r) (i32.const 256)))
        (if (f64.ne (local.get $ls) (local.get $ls))
          (then
            (local.set $top (v128.const f32x4 nan nan nan nan))
            (local.set $dd (select (local.get $top) (v128.const i64x2 0 0) (i32.eq (local.get $kind) (i32.const 2))))
            (loop $nan
              (v128.store (i32.add (local.get $p) (local.get $o)) (local.get $top))
              (v128.store (i32.add (local.get $pf) (local.get $o)) (local.get $top))
              (v128.store (i32.add (local.get $ds) (local.get $o)) (local.get $dd))
              (br_if $nan (i32.and (local.tee $o (i32.add (local.get $o) (i32.const 16))) (i32.const 255)))))
          (else
            (local.set $top (f32x4.splat (f32.demote_f64 (local.get $ls))))
            (loop $exp
              (local.set $ex (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $o))) (local.get $top)))
              (local.set $ey (f32x4.max (f32x4.min (local.get $ex) (v128.const f32x4 88 88 88 88)) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)))
              (local.set $en (f32x4.nearest (f32x4.mul (local.get $ey) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504))))
              (local.set $er (f32x4.sub (local.get $ey) (f32x4.mul (local.get $en) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
              (local.set $er (f32x4.sub (local.get $er) (f32x4.mul (local.get $en) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
              (local.set $ep (v128.const f32x4 1.98412698e-4 1.98412698e-4 1.98412698e-4 1.98412698e-4))
              (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 1.38888889e-3 1.38888889e-3 1.38888889e-3 1.38888889e-3)))
              (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 8.33333333e-3 8.33333333e-3 8.33333333e-3 8.33333333e-3)))
              (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 4.16666667e-2 4.16666667e-2 4.16666667e-2 4.16666667e-2)))
              (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 1.66666667e-1 1.66666667e-1 1.66666667e-1 1.66666667e-1)))
              (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 0.5 0.5 0.5 0.5)))
              (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 1 1 1 1)))
              (local.set $ep (f32x4.add (f32x4.mul (local.get $ep) (local.get $er)) (v128.const f32x4 1 1 1 1)))
              (local.set $ex (v128.and
                (f32x4.mul (local.get $ep) (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $en)) (v128.const i32x4 127 127 127 127)) (i32.const 23)))
                (f32x4.ge (local.get $ex) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3))))
              (v128.store (i32.add (local.get $p) (local.get $o)) (local.get $ex))
              (br_if $exp (i32.and (local.tee $o (i32.add (local.get $o) (i32.const 16))) (i32.const 255))))
            (local.set $o (i32.mul (local.get $r) (i32.const 256)))
            (if (f64.ne (local.get $inv) (f64.const 1))
              (then (call $drop32 (i32.add (local.get $p) (local.get $o)) (i32.add (local.get $pf) (local.get $o)) (local.get $bk)
                (i64.add (local.get $idx) (i64.mul (i64.extend_i32_u (local.get $r)) (i64.extend_i32_u (local.get $S))))
                (local.get $seed) (local.get $thr) (f32.demote_f64 (local.get $inv)))))
            (local.set $dd (f32x4.splat (f32.demote_f64 (f64.load (i32.add (local.get $D) (i32.shl (local.get $r) (i32.const 3)))))))
            (loop $ds
              (v128.store (i32.add (local.get $ds) (local.get $o))
                (f32x4.mul (local.get $sc)
                  (f32x4.sub (f32x4.mul (v128.load (i32.add (local.get $pf) (local.get $o))) (v128.load (i32.add (local.get $ds) (local.get $o))))
                    (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $o))) (local.get $dd)))))
              (br_if $ds (i32.and (local.tee $o (i32.add (local.get $o) (i32.const 16))) (i32.const 255))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; The scores of a tile in place (f64): rows (queries i0..) of 64 keys (j0..), bk of them real:
  ;; scaled, the additive mask added or -∞ where the boolean one is 0, -∞ past the diagonal when
  ;; causal and in the padding columns (keys bk..63), so that padding counts as masked keys. The
  ;; mask's element (i, j) is at mask + i·mrs + j·mcs (bytes).
  (func $mask64 (param $s i32) (param $rows i32) (param $i0 i32) (param $j0 i32) (param $bk i32) (param $scale f64)
    (param $mask i32) (param $mrs i32) (param $mcs i32) (param $kind i32) (param $causal i32)
    (local $r i32) (local $row i32) (local $p i32) (local $end i32) (local $mo i32) (local $sc v128) (local $i i32)
    (local.set $sc (f64x2.splat (local.get $scale)))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $row (i32.add (local.get $s) (i32.mul (local.get $r) (i32.const 512))))
        (local.set $i (i32.add (local.get $i0) (local.get $r)))
        (local.set $mo (i32.add (local.get $mask) (i32.add (i32.mul (local.get $i) (local.get $mrs)) (i32.mul (local.get $j0) (local.get $mcs)))))
        (local.set $end (i32.add (local.get $row) (i32.shl (local.get $bk) (i32.const 3))))
        (local.set $p (local.get $row))
        (if (i32.eq (local.get $kind) (i32.const 2))
          (then
            ;; in double precision, as the native kernel
            (loop $add
              (f64.store (local.get $p) (f64.add (f64.mul (f64.load (local.get $p)) (local.get $scale)) (f64.load (local.get $mo))))
              (local.set $mo (i32.add (local.get $mo) (local.get $mcs)))
              (br_if $add (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 8))) (local.get $end)))))
          (else
            (loop $scale
              (v128.store (local.get $p) (f64x2.mul (v128.load (local.get $p)) (local.get $sc)))
              (br_if $scale (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (local.get $end))))
            (if (i32.eq (local.get $kind) (i32.const 1))
              (then
                (local.set $p (local.get $row))
                (loop $bool
                  (if (i32.eqz (i32.load8_u (local.get $mo))) (then (f64.store (local.get $p) (f64.const -inf))))
                  (local.set $mo (i32.add (local.get $mo) (local.get $mcs)))
                  (br_if $bool (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 8))) (local.get $end))))))))
        ;; keys from bk on, or from i - j0 + 1 on when causal, are out
        (if (local.get $causal)
          (then
            (local.set $p (i32.sub (i32.add (local.get $i) (i32.const 1)) (local.get $j0)))
            (local.set $p (select (local.get $p) (i32.const 0) (i32.gt_s (local.get $p) (i32.const 0))))
            (local.set $p (select (local.get $p) (local.get $bk) (i32.lt_s (local.get $p) (local.get $bk))))
            (local.set $end (i32.add (local.get $row) (i32.shl (local.get $p) (i32.const 3))))))
        (block $padded
          (loop $pad
            (br_if $padded (i32.ge_u (local.get $end) (i32.add (local.get $row) (i32.const 512))))
            (f64.store (local.get $end) (f64.const -inf))
            (local.set $end (i32.add (local.get $end) (i32.const 8)))
            (br $pad)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; dst[c] = src[c]·inv where attentionKeep keeps weight idx + c, else 0, for c < n (f64): four
  ;; keys at a time while their indices share the high 32 bits (then the inner hash is one), the
  ;; rest one by one.
  (func $drop64 (param $src i32) (param $dst i32) (param $n i32) (param $idx i64) (param $seed i32) (param $thr i32) (param $inv f64)
    (local $lo v128) (local $hv v128) (local $tv v128) (local $iv v128) (local $keep v128)
    (if (i64.eq (i64.shr_u (local.get $idx) (i64.const 32)) (i64.shr_u (i64.add (local.get $idx) (i64.extend_i32_u (local.get $n))) (i64.const 32)))
      (then
        (local.set $hv (i32x4.splat (call $fmix (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $idx) (i64.const 32))) (local.get $seed)))))
        (local.set $lo (i32x4.add (i32x4.splat (i32.wrap_i64 (local.get $idx))) (v128.const i32x4 0 1 2 3)))
        (local.set $tv (i32x4.splat (local.get $thr)))
        (local.set $iv (f64x2.splat (local.get $inv)))
        (block $vdone
          (loop $vec
            (br_if $vdone (i32.lt_u (local.get $n) (i32.const 4)))
            (local.set $keep (i32x4.ge_u (call $fmix4 (v128.xor (local.get $lo) (local.get $hv))) (local.get $tv)))
            (v128.store (local.get $dst) (v128.and (f64x2.mul (v128.load (local.get $src)) (local.get $iv)) (i64x2.extend_low_i32x4_s (local.get $keep))))
            (v128.store offset=16 (local.get $dst) (v128.and (f64x2.mul (v128.load offset=16 (local.get $src)) (local.get $iv)) (i64x2.extend_high_i32x4_s (local.get $keep))))
            (local.set $lo (i32x4.add (local.get $lo) (v128.const i32x4 4 4 4 4)))
            (local.set $src (i32.add (local.get $src) (i32.const 32)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (local.set $idx (i64.add (local.get $idx) (i64.const 4)))
            (local.set $n (i32.sub (local.get $n) (i32.const 4)))
            (br $vec)))))
    (block $done
      (loop $key
        (br_if $done (i32.eqz (local.get $n)))
        (f64.store (local.get $dst)
          (select (f64.mul (f64.load (local.get $src)) (local.get $inv)) (f64.const 0) (call $keep (local.get $idx) (local.get $seed) (local.get $thr))))
        (local.set $src (i32.add (local.get $src) (i32.const 8)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
        (local.set $idx (i64.add (local.get $idx) (i64.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $key))))

  ;; The online softmax over one tile of scores (f64), row by row: the row's running maximum m and
  ;; sum l (f64 at m + 8r and l + 8r) move to the tile's, its output accumulator (nv vectors at
  ;; acc + r·lda) is rescaled by e^(m_old − m_new), and the scores become e^(s − m_new), with
  ;; dropout applied after they are summed. A row with every key of the tile masked adds nothing.
  (func $online64 (param $s i32) (param $rows i32) (param $m i32) (param $l i32) (param $acc i32) (param $lda i32) (param $nv i32)
    (param $bk i32) (param $inv f64) (param $thr i32) (param $seed i32) (param $idx i64) (param $S i32)
    (local $r i32) (local $row i32) (local $p i32) (local $x v128) (local $sum v128) (local $top v128) (local $mt f64)
    (local $mo f64) (local $mn f64) (local $corr f64) (local $ex v128) (local $ey v128) (local $en v128) (local $er v128) (local $ep v128)
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $row (i32.add (local.get $s) (i32.mul (local.get $r) (i32.const 512))))
        (local.set $x (v128.load (local.get $row)))
        (local.set $p (i32.add (local.get $row) (i32.const 16)))
        (loop $max
          (local.set $x (f64x2.max (local.get $x) (v128.load (local.get $p))))
          (br_if $max (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (i32.add (local.get $row) (i32.const 512)))))
        (local.set $mt (f64.max (f64x2.extract_lane 0 (local.get $x)) (f64x2.extract_lane 1 (local.get $x))))
        (if (f64.eq (local.get $mt) (f64.const -inf))
          (then (memory.fill (local.get $row) (i32.const 0) (i32.const 512)))
          (else
            (local.set $mo (f64.load (i32.add (local.get $m) (i32.shl (local.get $r) (i32.const 3)))))
            (local.set $mn (f64.max (local.get $mo) (local.get $mt)))
            (local.set $corr (f64x2.extract_lane 0 (call $exp64 (f64x2.splat (f64.sub (local.get $mo) (local.get $mn))))))
            (local.set $top (f64x2.splat (local.get $mn)))
            (local.set $sum (v128.const i64x2 0 0))
            (local.set $p (local.get $row))
            (loop $exp
              (local.set $ex (f64x2.sub (v128.load (local.get $p)) (local.get $top)))
              (local.set $ey (f64x2.max (f64x2.min (local.get $ex) (v128.const f64x2 709 709)) (v128.const f64x2 -708 -708)))
              (local.set $en (f64x2.nearest (f64x2.mul (local.get $ey) (v128.const f64x2 1.4426950408889634 1.4426950408889634))))
              (local.set $er (f64x2.sub (local.get $ey) (f64x2.mul (local.get $en) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
              (local.set $er (f64x2.sub (local.get $er) (f64x2.mul (local.get $en) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))))
              (local.set $ep (v128.const f64x2 2.08767569878681e-9 2.08767569878681e-9))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 2.505210838544172e-8 2.505210838544172e-8)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 2.755731922398589e-7 2.755731922398589e-7)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.0000027557319223985893 0.0000027557319223985893)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.0000248015873015873 0.0000248015873015873)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.0001984126984126984 0.0001984126984126984)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.001388888888888889 0.001388888888888889)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.008333333333333333 0.008333333333333333)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.041666666666666664 0.041666666666666664)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.16666666666666666 0.16666666666666666)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.5 0.5)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 1 1)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 1 1)))
              (local.set $ex (v128.and
                (f64x2.mul (local.get $ep)
                  (i64x2.shl (i64x2.add (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $en))) (v128.const i64x2 1023 1023)) (i32.const 52)))
                (f64x2.ge (local.get $ex) (v128.const f64x2 -708 -708))))
              (local.set $x (local.get $ex))
              (v128.store (local.get $p) (local.get $x))
              (local.set $sum (f64x2.add (local.get $sum) (local.get $x)))
              (br_if $exp (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 16))) (i32.add (local.get $row) (i32.const 512)))))
            (f64.store (i32.add (local.get $l) (i32.shl (local.get $r) (i32.const 3)))
              (f64.add (f64.mul (f64.load (i32.add (local.get $l) (i32.shl (local.get $r) (i32.const 3)))) (local.get $corr)) (f64.add (f64x2.extract_lane 0 (local.get $sum)) (f64x2.extract_lane 1 (local.get $sum)))))
            (f64.store (i32.add (local.get $m) (i32.shl (local.get $r) (i32.const 3))) (local.get $mn))
            (if (f64.ne (local.get $corr) (f64.const 1))
              (then
                (local.set $x (f64x2.splat (local.get $corr)))
                (local.set $p (i32.add (local.get $acc) (i32.mul (local.get $r) (local.get $lda))))
                (block $scaled
                  (loop $rescale
                    (br_if $scaled (i32.ge_u (local.get $p) (i32.add (i32.add (local.get $acc) (i32.mul (local.get $r) (local.get $lda))) (i32.shl (local.get $nv) (i32.const 4)))))
                    (v128.store (local.get $p) (f64x2.mul (v128.load (local.get $p)) (local.get $x)))
                    (local.set $p (i32.add (local.get $p) (i32.const 16)))
                    (br $rescale)))))
            (if (f64.ne (local.get $inv) (f64.const 1))
              (then (call $drop64 (local.get $row) (local.get $row) (local.get $bk)
                (i64.add (local.get $idx) (i64.mul (i64.extend_i32_u (local.get $r)) (i64.extend_i32_u (local.get $S))))
                (local.get $seed) (local.get $thr) (local.get $inv))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; The backward's rows of one tile (f64): the scores in p become P = e^(s − lse), pf gets
  ;; P with dropout (pf = p without it), and ds, holding dP = dO·Vᵀ, becomes
  ;; dS = scale·(pf ⊙ dP − P·D). A row without keys (lse NaN) is NaN throughout, and its dS is NaN
  ;; too under an additive mask, 0 under a boolean one (its keys were removed: no gradient).
  (func $rows64 (param $p i32) (param $pf i32) (param $ds i32) (param $rows i32) (param $lse i32) (param $D i32)
    (param $bk i32) (param $kind i32) (param $scale f64) (param $inv f64) (param $thr i32) (param $seed i32) (param $idx i64) (param $S i32)
    (local $r i32) (local $o i32) (local $ls f64) (local $top v128) (local $dd v128) (local $sc v128) (local $ex v128) (local $ey v128) (local $en v128) (local $er v128) (local $ep v128)
    (local.set $sc (f64x2.splat (local.get $scale)))
    (block $done
      (loop $rowLoop
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $ls (f64.load (i32.add (local.get $lse) (i32.shl (local.get $r) (i32.const 3)))))
        (local.set $o (i32.mul (local.get $r) (i32.const 512)))
        (if (f64.ne (local.get $ls) (local.get $ls))
          (then
            (local.set $top (v128.const f64x2 nan nan))
            (local.set $dd (select (local.get $top) (v128.const i64x2 0 0) (i32.eq (local.get $kind) (i32.const 2))))
            (loop $nan
              (v128.store (i32.add (local.get $p) (local.get $o)) (local.get $top))
              (v128.store (i32.add (local.get $pf) (local.get $o)) (local.get $top))
              (v128.store (i32.add (local.get $ds) (local.get $o)) (local.get $dd))
              (br_if $nan (i32.and (local.tee $o (i32.add (local.get $o) (i32.const 16))) (i32.const 511)))))
          (else
            (local.set $top (f64x2.splat (local.get $ls)))
            (loop $exp
              (local.set $ex (f64x2.sub (v128.load (i32.add (local.get $p) (local.get $o))) (local.get $top)))
              (local.set $ey (f64x2.max (f64x2.min (local.get $ex) (v128.const f64x2 709 709)) (v128.const f64x2 -708 -708)))
              (local.set $en (f64x2.nearest (f64x2.mul (local.get $ey) (v128.const f64x2 1.4426950408889634 1.4426950408889634))))
              (local.set $er (f64x2.sub (local.get $ey) (f64x2.mul (local.get $en) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
              (local.set $er (f64x2.sub (local.get $er) (f64x2.mul (local.get $en) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10))))
              (local.set $ep (v128.const f64x2 2.08767569878681e-9 2.08767569878681e-9))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 2.505210838544172e-8 2.505210838544172e-8)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 2.755731922398589e-7 2.755731922398589e-7)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.0000027557319223985893 0.0000027557319223985893)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.0000248015873015873 0.0000248015873015873)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.0001984126984126984 0.0001984126984126984)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.001388888888888889 0.001388888888888889)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.008333333333333333 0.008333333333333333)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.041666666666666664 0.041666666666666664)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.16666666666666666 0.16666666666666666)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 0.5 0.5)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 1 1)))
              (local.set $ep (f64x2.add (f64x2.mul (local.get $ep) (local.get $er)) (v128.const f64x2 1 1)))
              (local.set $ex (v128.and
                (f64x2.mul (local.get $ep)
                  (i64x2.shl (i64x2.add (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $en))) (v128.const i64x2 1023 1023)) (i32.const 52)))
                (f64x2.ge (local.get $ex) (v128.const f64x2 -708 -708))))
              (v128.store (i32.add (local.get $p) (local.get $o)) (local.get $ex))
              (br_if $exp (i32.and (local.tee $o (i32.add (local.get $o) (i32.const 16))) (i32.const 511))))
            (local.set $o (i32.mul (local.get $r) (i32.const 512)))
            (if (f64.ne (local.get $inv) (f64.const 1))
              (then (call $drop64 (i32.add (local.get $p) (local.get $o)) (i32.add (local.get $pf) (local.get $o)) (local.get $bk)
                (i64.add (local.get $idx) (i64.mul (i64.extend_i32_u (local.get $r)) (i64.extend_i32_u (local.get $S))))
                (local.get $seed) (local.get $thr) (local.get $inv))))
            (local.set $dd (f64x2.splat (f64.load (i32.add (local.get $D) (i32.shl (local.get $r) (i32.const 3))))))
            (loop $ds
              (v128.store (i32.add (local.get $ds) (local.get $o))
                (f64x2.mul (local.get $sc)
                  (f64x2.sub (f64x2.mul (v128.load (i32.add (local.get $pf) (local.get $o))) (v128.load (i32.add (local.get $ds) (local.get $o))))
                    (f64x2.mul (v128.load (i32.add (local.get $p) (local.get $o))) (local.get $dd)))))
              (br_if $ds (i32.and (local.tee $o (i32.add (local.get $o) (i32.const 16))) (i32.const 511))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; Attention forward of one block (f32): q [L, E], k [S, E], v [S, Ev] at byte addresses, the
  ;; mask's (0, 0) at mask with strides mrs, mcs (bytes; kind 0 none, 1 bool, 2 additive). Writes out
  ;; [L, Ev] (rows without keys left as they were) and each row's maximum and sum, m at ml + 8i and
  ;; l at ml + 8(L + i); the caller takes lse = m + log l. Dropout (inv = 1/(1 − p) ≠ 1) keeps
  ;; weight (i, j) where attentionKeep(seed, idx0 + i·S + j, thr). Scratch: kt holds the key tiles
  ;; transposed (⌈S/64⌉·E·64 values), acc the output rows of a query block (64 × Ev rounded up to
  ;; 32 bytes), tile 64 × 64 scores. Reads up to 32 bytes past the end of k and v.
  (func (export "forward32") (param $q i32) (param $k i32) (param $v i32) (param $mask i32) (param $mrs i32) (param $mcs i32)
    (param $kind i32) (param $causal i32) (param $L i32) (param $S i32) (param $E i32) (param $Ev i32) (param $scale f64)
    (param $inv f64) (param $thr i32) (param $seed i32) (param $idx0 i64) (param $out i32) (param $ml i32) (param $kt i32)
    (param $acc i32) (param $tile i32)
    (local $i0 i32) (local $j0 i32) (local $bq i32) (local $bk i32) (local $jEnd i32) (local $nc i32) (local $lda i32)
    (local $r i32) (local $e i32) (local $w f64) (local $src i32) (local $dst i32)
    (local.set $nc (i32.shr_u (i32.add (i32.shl (local.get $Ev) (i32.const 2)) (i32.const 31)) (i32.const 5)))
    (local.set $lda (i32.shl (local.get $nc) (i32.const 5)))
    (block $packed
      (loop $pack
        (br_if $packed (i32.ge_s (local.get $j0) (local.get $S)))
        (call $packT (i32.add (local.get $k) (i32.shl (i32.mul (local.get $j0) (local.get $E)) (i32.const 2))) (i32.shl (local.get $E) (i32.const 2))
          (i32.add (local.get $kt) (i32.shl (i32.mul (local.get $j0) (local.get $E)) (i32.const 2)))
          (call $min (i32.const 64) (i32.sub (local.get $S) (local.get $j0))) (local.get $E) (i32.const 4))
        (local.set $j0 (i32.add (local.get $j0) (i32.const 64)))
        (br $pack)))
    (block $done
      (loop $queries
        (br_if $done (i32.ge_s (local.get $i0) (local.get $L)))
        (local.set $bq (call $min (i32.const 64) (i32.sub (local.get $L) (local.get $i0))))
        (local.set $r (i32.const 0))
        (loop $init
          (f64.store (i32.add (local.get $ml) (i32.shl (i32.add (local.get $i0) (local.get $r)) (i32.const 3))) (f64.const -inf))
          (f64.store (i32.add (local.get $ml) (i32.shl (i32.add (i32.add (local.get $L) (local.get $i0)) (local.get $r)) (i32.const 3))) (f64.const 0))
          (br_if $init (i32.lt_s (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $bq))))
        (memory.fill (local.get $acc) (i32.const 0) (i32.mul (local.get $bq) (local.get $lda)))
        ;; causal: the block's last query sees keys up to its own index
        (local.set $jEnd (select (call $min (local.get $S) (i32.add (local.get $i0) (local.get $bq))) (local.get $S) (local.get $causal)))
        (local.set $j0 (i32.const 0))
        (block $keysDone
          (loop $keys
            (br_if $keysDone (i32.ge_s (local.get $j0) (local.get $jEnd)))
            (local.set $bk (call $min (i32.const 64) (i32.sub (local.get $S) (local.get $j0))))
            (call $mm32 (i32.add (local.get $q) (i32.shl (i32.mul (local.get $i0) (local.get $E)) (i32.const 2))) (i32.shl (local.get $E) (i32.const 2)) (i32.const 4)
              (i32.add (local.get $kt) (i32.shl (i32.mul (local.get $j0) (local.get $E)) (i32.const 2))) (i32.const 256)
              (local.get $tile) (i32.const 256) (local.get $bq) (i32.const 8) (local.get $E) (i32.const 0))
            (call $mask32 (local.get $tile) (local.get $bq) (local.get $i0) (local.get $j0) (local.get $bk) (local.get $scale)
              (local.get $mask) (local.get $mrs) (local.get $mcs) (local.get $kind) (local.get $causal))
            (call $online32 (local.get $tile) (local.get $bq)
              (i32.add (local.get $ml) (i32.shl (local.get $i0) (i32.const 3)))
              (i32.add (local.get $ml) (i32.shl (i32.add (local.get $L) (local.get $i0)) (i32.const 3)))
              (local.get $acc) (local.get $lda) (i32.shl (local.get $nc) (i32.const 1)) (local.get $bk)
              (local.get $inv) (local.get $thr) (local.get $seed)
              (i64.add (local.get $idx0) (i64.add (i64.mul (i64.extend_i32_u (local.get $i0)) (i64.extend_i32_u (local.get $S))) (i64.extend_i32_u (local.get $j0))))
              (local.get $S))
            ;; acc += P·V over the tile's keys
            (call $mm32 (local.get $tile) (i32.const 256) (i32.const 4) (i32.add (local.get $v) (i32.shl (i32.mul (local.get $j0) (local.get $Ev)) (i32.const 2))) (i32.shl (local.get $Ev) (i32.const 2))
              (local.get $acc) (local.get $lda) (local.get $bq) (local.get $nc) (local.get $bk) (i32.const 1))
            (local.set $j0 (i32.add (local.get $j0) (i32.const 64)))
            (br $keys)))
        ;; out = acc / l
        (local.set $r (i32.const 0))
        (loop $rows
          (local.set $w (f64.load (i32.add (local.get $ml) (i32.shl (i32.add (i32.add (local.get $L) (local.get $i0)) (local.get $r)) (i32.const 3)))))
          (if (f64.gt (local.get $w) (f64.const 0))
            (then
              (local.set $w (f64.div (f64.const 1) (local.get $w)))
              (local.set $src (i32.add (local.get $acc) (i32.mul (local.get $r) (local.get $lda))))
              (local.set $dst (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (local.get $i0) (local.get $r)) (local.get $Ev)) (i32.const 2))))
              (local.set $e (local.get $Ev))
              (loop $col
                (f32.store (local.get $dst) (f32.demote_f64 (f64.mul (f64.promote_f32 (f32.load (local.get $src))) (local.get $w))))
                (local.set $src (i32.add (local.get $src) (i32.const 4)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                (br_if $col (local.tee $e (i32.sub (local.get $e) (i32.const 1)))))))
          (br_if $rows (i32.lt_s (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $bq))))
        (local.set $i0 (i32.add (local.get $i0) (i32.const 64)))
        (br $queries))))

  ;; Attention backward of one block (f32), arguments as forward's plus dO [L, Ev], the rows' lse
  ;; and D = dO·out (f64 [L] each), the gradients dq [L, E], dk [S, E], dv [S, Ev] (overwritten) and
  ;; scratch: kt, vt (key and value tiles transposed), dqa (L × E rounded up to 32 bytes), dka, dva
  ;; (64 rows of those widths), p, pf, ds (64 × 64 each). Per key tile: P = e^(s − lse) and dP = dO·Vᵀ
  ;; per query block, then dV += (P·F)ᵀ·dO, dK += dSᵀ·Q, dQ += dS·K. Reads up to 32 bytes past the
  ;; end of q, k and dO.
  (func (export "backward32") (param $q i32) (param $k i32) (param $v i32) (param $mask i32) (param $mrs i32) (param $mcs i32)
    (param $kind i32) (param $causal i32) (param $L i32) (param $S i32) (param $E i32) (param $Ev i32) (param $scale f64)
    (param $inv f64) (param $thr i32) (param $seed i32) (param $idx0 i64) (param $dO i32) (param $lse i32) (param $D i32)
    (param $dq i32) (param $dk i32) (param $dv i32) (param $kt i32) (param $vt i32) (param $dqa i32) (param $dka i32) (param $dva i32)
    (param $p i32) (param $pf i32) (param $ds i32)
    (local $i0 i32) (local $j0 i32) (local $bq i32) (local $bk i32) (local $ncE i32) (local $ldE i32) (local $ncV i32) (local $ldV i32)
    (local.set $ncE (i32.shr_u (i32.add (i32.shl (local.get $E) (i32.const 2)) (i32.const 31)) (i32.const 5)))
    (local.set $ldE (i32.shl (local.get $ncE) (i32.const 5)))
    (local.set $ncV (i32.shr_u (i32.add (i32.shl (local.get $Ev) (i32.const 2)) (i32.const 31)) (i32.const 5)))
    (local.set $ldV (i32.shl (local.get $ncV) (i32.const 5)))
    (if (f64.eq (local.get $inv) (f64.const 1)) (then (local.set $pf (local.get $p))))
    (block $packed
      (loop $pack
        (br_if $packed (i32.ge_s (local.get $j0) (local.get $S)))
        (local.set $bk (call $min (i32.const 64) (i32.sub (local.get $S) (local.get $j0))))
        (call $packT (i32.add (local.get $k) (i32.shl (i32.mul (local.get $j0) (local.get $E)) (i32.const 2))) (i32.shl (local.get $E) (i32.const 2))
          (i32.add (local.get $kt) (i32.shl (i32.mul (local.get $j0) (local.get $E)) (i32.const 2))) (local.get $bk) (local.get $E) (i32.const 4))
        (call $packT (i32.add (local.get $v) (i32.shl (i32.mul (local.get $j0) (local.get $Ev)) (i32.const 2))) (i32.shl (local.get $Ev) (i32.const 2))
          (i32.add (local.get $vt) (i32.shl (i32.mul (local.get $j0) (local.get $Ev)) (i32.const 2))) (local.get $bk) (local.get $Ev) (i32.const 4))
        (local.set $j0 (i32.add (local.get $j0) (i32.const 64)))
        (br $pack)))
    (memory.fill (local.get $dqa) (i32.const 0) (i32.mul (local.get $L) (local.get $ldE)))
    (local.set $j0 (i32.const 0))
    (block $done
      (loop $keys
        (br_if $done (i32.ge_s (local.get $j0) (local.get $S)))
        (local.set $bk (call $min (i32.const 64) (i32.sub (local.get $S) (local.get $j0))))
        (memory.fill (local.get $dka) (i32.const 0) (i32.mul (local.get $bk) (local.get $ldE)))
        (memory.fill (local.get $dva) (i32.const 0) (i32.mul (local.get $bk) (local.get $ldV)))
        ;; causal: queries before j0 see none of these keys
        (local.set $i0 (select (local.get $j0) (i32.const 0) (local.get $causal)))
        (block $queriesDone
          (loop $queries
            (br_if $queriesDone (i32.ge_s (local.get $i0) (local.get $L)))
            (local.set $bq (call $min (i32.const 64) (i32.sub (local.get $L) (local.get $i0))))
            (call $mm32 (i32.add (local.get $q) (i32.shl (i32.mul (local.get $i0) (local.get $E)) (i32.const 2))) (i32.shl (local.get $E) (i32.const 2)) (i32.const 4)
              (i32.add (local.get $kt) (i32.shl (i32.mul (local.get $j0) (local.get $E)) (i32.const 2))) (i32.const 256)
              (local.get $p) (i32.const 256) (local.get $bq) (i32.const 8) (local.get $E) (i32.const 0))
            (call $mask32 (local.get $p) (local.get $bq) (local.get $i0) (local.get $j0) (local.get $bk) (local.get $scale)
              (local.get $mask) (local.get $mrs) (local.get $mcs) (local.get $kind) (local.get $causal))
            (call $mm32 (i32.add (local.get $dO) (i32.shl (i32.mul (local.get $i0) (local.get $Ev)) (i32.const 2))) (i32.shl (local.get $Ev) (i32.const 2)) (i32.const 4)
              (i32.add (local.get $vt) (i32.shl (i32.mul (local.get $j0) (local.get $Ev)) (i32.const 2))) (i32.const 256)
              (local.get $ds) (i32.const 256) (local.get $bq) (i32.const 8) (local.get $Ev) (i32.const 0))
            (call $rows32 (local.get $p) (local.get $pf) (local.get $ds) (local.get $bq)
              (i32.add (local.get $lse) (i32.shl (local.get $i0) (i32.const 3))) (i32.add (local.get $D) (i32.shl (local.get $i0) (i32.const 3)))
              (local.get $bk) (local.get $kind) (local.get $scale) (local.get $inv) (local.get $thr) (local.get $seed)
              (i64.add (local.get $idx0) (i64.add (i64.mul (i64.extend_i32_u (local.get $i0)) (i64.extend_i32_u (local.get $S))) (i64.extend_i32_u (local.get $j0))))
              (local.get $S))
            ;; dV_j += (P·F)ᵀ dO_i, dK_j += dSᵀ Q_i, dQ_i += dS K_j
            (call $mm32 (local.get $pf) (i32.const 4) (i32.const 256) (i32.add (local.get $dO) (i32.shl (i32.mul (local.get $i0) (local.get $Ev)) (i32.const 2))) (i32.shl (local.get $Ev) (i32.const 2))
              (local.get $dva) (local.get $ldV) (local.get $bk) (local.get $ncV) (local.get $bq) (i32.const 1))
            (call $mm32 (local.get $ds) (i32.const 4) (i32.const 256) (i32.add (local.get $q) (i32.shl (i32.mul (local.get $i0) (local.get $E)) (i32.const 2))) (i32.shl (local.get $E) (i32.const 2))
              (local.get $dka) (local.get $ldE) (local.get $bk) (local.get $ncE) (local.get $bq) (i32.const 1))
            (call $mm32 (local.get $ds) (i32.const 256) (i32.const 4) (i32.add (local.get $k) (i32.shl (i32.mul (local.get $j0) (local.get $E)) (i32.const 2))) (i32.shl (local.get $E) (i32.const 2))
              (i32.add (local.get $dqa) (i32.mul (local.get $i0) (local.get $ldE))) (local.get $ldE) (local.get $bq) (local.get $ncE) (local.get $bk) (i32.const 1))
            (local.set $i0 (i32.add (local.get $i0) (i32.const 64)))
            (br $queries)))
        (call $copyRows (local.get $dka) (local.get $ldE) (i32.add (local.get $dk) (i32.shl (i32.mul (local.get $j0) (local.get $E)) (i32.const 2))) (i32.shl (local.get $E) (i32.const 2)) (local.get $bk))
        (call $copyRows (local.get $dva) (local.get $ldV) (i32.add (local.get $dv) (i32.shl (i32.mul (local.get $j0) (local.get $Ev)) (i32.const 2))) (i32.shl (local.get $Ev) (i32.const 2)) (local.get $bk))
        (local.set $j0 (i32.add (local.get $j0) (i32.const 64)))
        (br $keys)))
    (call $copyRows (local.get $dqa) (local.get $ldE) (local.get $dq) (i32.shl (local.get $E) (i32.const 2)) (local.get $L)))

  ;; Attention forward of one block (f64): q [L, E], k [S, E], v [S, Ev] at byte addresses, the
  ;; mask's (0, 0) at mask with strides mrs, mcs (bytes; kind 0 none, 1 bool, 2 additive). Writes out
  ;; [L, Ev] (rows without keys left as they were) and each row's maximum and sum, m at ml + 8i and
  ;; l at ml + 8(L + i); the caller takes lse = m + log l. Dropout (inv = 1/(1 − p) ≠ 1) keeps
  ;; weight (i, j) where attentionKeep(seed, idx0 + i·S + j, thr). Scratch: kt holds the key tiles
  ;; transposed (⌈S/64⌉·E·64 values), acc the output rows of a query block (64 × Ev rounded up to
  ;; 32 bytes), tile 64 × 64 scores. Reads up to 32 bytes past the end of k and v.
  (func (export "forward64") (param $q i32) (param $k i32) (param $v i32) (param $mask i32) (param $mrs i32) (param $mcs i32)
    (param $kind i32) (param $causal i32) (param $L i32) (param $S i32) (param $E i32) (param $Ev i32) (param $scale f64)
    (param $inv f64) (param $thr i32) (param $seed i32) (param $idx0 i64) (param $out i32) (param $ml i32) (param $kt i32)
    (param $acc i32) (param $tile i32)
    (local $i0 i32) (local $j0 i32) (local $bq i32) (local $bk i32) (local $jEnd i32) (local $nc i32) (local $lda i32)
    (local $r i32) (local $e i32) (local $w f64) (local $src i32) (local $dst i32)
    (local.set $nc (i32.shr_u (i32.add (i32.shl (local.get $Ev) (i32.const 3)) (i32.const 31)) (i32.const 5)))
    (local.set $lda (i32.shl (local.get $nc) (i32.const 5)))
    (block $packed
      (loop $pack
        (br_if $packed (i32.ge_s (local.get $j0) (local.get $S)))
        (call $packT (i32.add (local.get $k) (i32.shl (i32.mul (local.get $j0) (local.get $E)) (i32.const 3))) (i32.shl (local.get $E) (i32.const 3))
          (i32.add (local.get $kt) (i32.shl (i32.mul (local.get $j0) (local.get $E)) (i32.const 3)))
          (call $min (i32.const 64) (i32.sub (local.get $S) (local.get $j0))) (local.get $E) (i32.const 8))
        (local.set $j0 (i32.add (local.get $j0) (i32.const 64)))
        (br $pack)))
    (block $done
      (loop $queries
        (br_if $done (i32.ge_s (local.get $i0) (local.get $L)))
        (local.set $bq (call $min (i32.const 64) (i32.sub (local.get $L) (local.get $i0))))
        (local.set $r (i32.const 0))
        (loop $init
          (f64.store (i32.add (local.get $ml) (i32.shl (i32.add (local.get $i0) (local.get $r)) (i32.const 3))) (f64.const -inf))
          (f64.store (i32.add (local.get $ml) (i32.shl (i32.add (i32.add (local.get $L) (local.get $i0)) (local.get $r)) (i32.const 3))) (f64.const 0))
          (br_if $init (i32.lt_s (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $bq))))
        (memory.fill (local.get $acc) (i32.const 0) (i32.mul (local.get $bq) (local.get $lda)))
        ;; causal: the block's last query sees keys up to its own index
        (local.set $jEnd (select (call $min (local.get $S) (i32.add (local.get $i0) (local.get $bq))) (local.get $S) (local.get $causal)))
        (local.set $j0 (i32.const 0))
        (block $keysDone
          (loop $keys
            (br_if $keysDone (i32.ge_s (local.get $j0) (local.get $jEnd)))
            (local.set $bk (call $min (i32.const 64) (i32.sub (local.get $S) (local.get $j0))))
            (call $mm64 (i32.add (local.get $q) (i32.shl (i32.mul (local.get $i0) (local.get $E)) (i32.const 3))) (i32.shl (local.get $E) (i32.const 3)) (i32.const 8)
              (i32.add (local.get $kt) (i32.shl (i32.mul (local.get $j0) (local.get $E)) (i32.const 3))) (i32.const 512)
              (local.get $tile) (i32.const 512) (local.get $bq) (i32.const 16) (local.get $E) (i32.const 0))
            (call $mask64 (local.get $tile) (local.get $bq) (local.get $i0) (local.get $j0) (local.get $bk) (local.get $scale)
              (local.get $mask) (local.get $mrs) (local.get $mcs) (local.get $kind) (local.get $causal))
            (call $online64 (local.get $tile) (local.get $bq)
              (i32.add (local.get $ml) (i32.shl (local.get $i0) (i32.const 3)))
              (i32.add (local.get $ml) (i32.shl (i32.add (local.get $L) (local.get $i0)) (i32.const 3)))
              (local.get $acc) (local.get $lda) (i32.shl (local.get $nc) (i32.const 1)) (local.get $bk)
              (local.get $inv) (local.get $thr) (local.get $seed)
              (i64.add (local.get $idx0) (i64.add (i64.mul (i64.extend_i32_u (local.get $i0)) (i64.extend_i32_u (local.get $S))) (i64.extend_i32_u (local.get $j0))))
              (local.get $S))
            ;; acc += P·V over the tile's keys
            (call $mm64 (local.get $tile) (i32.const 512) (i32.const 8) (i32.add (local.get $v) (i32.shl (i32.mul (local.get $j0) (local.get $Ev)) (i32.const 3))) (i32.shl (local.get $Ev) (i32.const 3))
              (local.get $acc) (local.get $lda) (local.get $bq) (local.get $nc) (local.get $bk) (i32.const 1))
            (local.set $j0 (i32.add (local.get $j0) (i32.const 64)))
            (br $keys)))
        ;; out = acc / l
        (local.set $r (i32.const 0))
        (loop $rows
          (local.set $w (f64.load (i32.add (local.get $ml) (i32.shl (i32.add (i32.add (local.get $L) (local.get $i0)) (local.get $r)) (i32.const 3)))))
          (if (f64.gt (local.get $w) (f64.const 0))
            (then
              (local.set $w (f64.div (f64.const 1) (local.get $w)))
              (local.set $src (i32.add (local.get $acc) (i32.mul (local.get $r) (local.get $lda))))
              (local.set $dst (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (local.get $i0) (local.get $r)) (local.get $Ev)) (i32.const 3))))
              (local.set $e (local.get $Ev))
              (loop $col
                (f64.store (local.get $dst) (f64.mul (f64.load (local.get $src)) (local.get $w)))
                (local.set $src (i32.add (local.get $src) (i32.const 8)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 8)))
                (br_if $col (local.tee $e (i32.sub (local.get $e) (i32.const 1)))))))
          (br_if $rows (i32.lt_s (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $bq))))
        (local.set $i0 (i32.add (local.get $i0) (i32.const 64)))
        (br $queries))))

  ;; Attention backward of one block (f64), arguments as forward's plus dO [L, Ev], the rows' lse
  ;; and D = dO·out (f64 [L] each), the gradients dq [L, E], dk [S, E], dv [S, Ev] (overwritten) and
  ;; scratch: kt, vt (key and value tiles transposed), dqa (L × E rounded up to 32 bytes), dka, dva
  ;; (64 rows of those widths), p, pf, ds (64 × 64 each). Per key tile: P = e^(s − lse) and dP = dO·Vᵀ
  ;; per query block, then dV += (P·F)ᵀ·dO, dK += dSᵀ·Q, dQ += dS·K. Reads up to 32 bytes past the
  ;; end of q, k and dO.
  (func (export "backward64") (param $q i32) (param $k i32) (param $v i32) (param $mask i32) (param $mrs i32) (param $mcs i32)
    (param $kind i32) (param $causal i32) (param $L i32) (param $S i32) (param $E i32) (param $Ev i32) (param $scale f64)
    (param $inv f64) (param $thr i32) (param $seed i32) (param $idx0 i64) (param $dO i32) (param $lse i32) (param $D i32)
    (param $dq i32) (param $dk i32) (param $dv i32) (param $kt i32) (param $vt i32) (param $dqa i32) (param $dka i32) (param $dva i32)
    (param $p i32) (param $pf i32) (param $ds i32)
    (local $i0 i32) (local $j0 i32) (local $bq i32) (local $bk i32) (local $ncE i32) (local $ldE i32) (local $ncV i32) (local $ldV i32)
    (local.set $ncE (i32.shr_u (i32.add (i32.shl (local.get $E) (i32.const 3)) (i32.const 31)) (i32.const 5)))
    (local.set $ldE (i32.shl (local.get $ncE) (i32.const 5)))
    (local.set $ncV (i32.shr_u (i32.add (i32.shl (local.get $Ev) (i32.const 3)) (i32.const 31)) (i32.const 5)))
    (local.set $ldV (i32.shl (local.get $ncV) (i32.const 5)))
    (if (f64.eq (local.get $inv) (f64.const 1)) (then (local.set $pf (local.get $p))))
    (block $packed
      (loop $pack
        (br_if $packed (i32.ge_s (local.get $j0) (local.get $S)))
        (local.set $bk (call $min (i32.const 64) (i32.sub (local.get $S) (local.get $j0))))
        (call $packT (i32.add (local.get $k) (i32.shl (i32.mul (local.get $j0) (local.get $E)) (i32.const 3))) (i32.shl (local.get $E) (i32.const 3))
          (i32.add (local.get $kt) (i32.shl (i32.mul (local.get $j0) (local.get $E)) (i32.const 3))) (local.get $bk) (local.get $E) (i32.const 8))
        (call $packT (i32.add (local.get $v) (i32.shl (i32.mul (local.get $j0) (local.get $Ev)) (i32.const 3))) (i32.shl (local.get $Ev) (i32.const 3))
          (i32.add (local.get $vt) (i32.shl (i32.mul (local.get $j0) (local.get $Ev)) (i32.const 3))) (local.get $bk) (local.get $Ev) (i32.const 8))
        (local.set $j0 (i32.add (local.get $j0) (i32.const 64)))
        (br $pack)))
    (memory.fill (local.get $dqa) (i32.const 0) (i32.mul (local.get $L) (local.get $ldE)))
    (local.set $j0 (i32.const 0))
    (block $done
      (loop $keys
        (br_if $done (i32.ge_s (local.get $j0) (local.get $S)))
        (local.set $bk (call $min (i32.const 64) (i32.sub (local.get $S) (local.get $j0))))
        (memory.fill (local.get $dka) (i32.const 0) (i32.mul (local.get $bk) (local.get $ldE)))
        (memory.fill (local.get $dva) (i32.const 0) (i32.mul (local.get $bk) (local.get $ldV)))
        ;; causal: queries before j0 see none of these keys
        (local.set $i0 (select (local.get $j0) (i32.const 0) (local.get $causal)))
        (block $queriesDone
          (loop $queries
            (br_if $queriesDone (i32.ge_s (local.get $i0) (local.get $L)))
            (local.set $bq (call $min (i32.const 64) (i32.sub (local.get $L) (local.get $i0))))
            (call $mm64 (i32.add (local.get $q) (i32.shl (i32.mul (local.get $i0) (local.get $E)) (i32.const 3))) (i32.shl (local.get $E) (i32.const 3)) (i32.const 8)
              (i32.add (local.get $kt) (i32.shl (i32.mul (local.get $j0) (local.get $E)) (i32.const 3))) (i32.const 512)
              (local.get $p) (i32.const 512) (local.get $bq) (i32.const 16) (local.get $E) (i32.const 0))
            (call $mask64 (local.get $p) (local.get $bq) (local.get $i0) (local.get $j0) (local.get $bk) (local.get $scale)
              (local.get $mask) (local.get $mrs) (local.get $mcs) (local.get $kind) (local.get $causal))
            (call $mm64 (i32.add (local.get $dO) (i32.shl (i32.mul (local.get $i0) (local.get $Ev)) (i32.const 3))) (i32.shl (local.get $Ev) (i32.const 3)) (i32.const 8)
              (i32.add (local.get $vt) (i32.shl (i32.mul (local.get $j0) (local.get $Ev)) (i32.const 3))) (i32.const 512)
              (local.get $ds) (i32.const 512) (local.get $bq) (i32.const 16) (local.get $Ev) (i32.const 0))
            (call $rows64 (local.get $p) (local.get $pf) (local.get $ds) (local.get $bq)
              (i32.add (local.get $lse) (i32.shl (local.get $i0) (i32.const 3))) (i32.add (local.get $D) (i32.shl (local.get $i0) (i32.const 3)))
              (local.get $bk) (local.get $kind) (local.get $scale) (local.get $inv) (local.get $thr) (local.get $seed)
              (i64.add (local.get $idx0) (i64.add (i64.mul (i64.extend_i32_u (local.get $i0)) (i64.extend_i32_u (local.get $S))) (i64.extend_i32_u (local.get $j0))))
              (local.get $S))
            ;; dV_j += (P·F)ᵀ dO_i, dK_j += dSᵀ Q_i, dQ_i += dS K_j
            (call $mm64 (local.get $pf) (i32.const 8) (i32.const 512) (i32.add (local.get $dO) (i32.shl (i32.mul (local.get $i0) (local.get $Ev)) (i32.const 3))) (i32.shl (local.get $Ev) (i32.const 3))
              (local.get $dva) (local.get $ldV) (local.get $bk) (local.get $ncV) (local.get $bq) (i32.const 1))
            (call $mm64 (local.get $ds) (i32.const 8) (i32.const 512) (i32.add (local.get $q) (i32.shl (i32.mul (local.get $i0) (local.get $E)) (i32.const 3))) (i32.shl (local.get $E) (i32.const 3))
              (local.get $dka) (local.get $ldE) (local.get $bk) (local.get $ncE) (local.get $bq) (i32.const 1))
            (call $mm64 (local.get $ds) (i32.const 512) (i32.const 8) (i32.add (local.get $k) (i32.shl (i32.mul (local.get $j0) (local.get $E)) (i32.const 3))) (i32.shl (local.get $E) (i32.const 3))
              (i32.add (local.get $dqa) (i32.mul (local.get $i0) (local.get $ldE))) (local.get $ldE) (local.get $bq) (local.get $ncE) (local.get $bk) (i32.const 1))
            (local.set $i0 (i32.add (local.get $i0) (i32.const 64)))
            (br $queries)))
        (call $copyRows (local.get $dka) (local.get $ldE) (i32.add (local.get $dk) (i32.shl (i32.mul (local.get $j0) (local.get $E)) (i32.const 3))) (i32.shl (local.get $E) (i32.const 3)) (local.get $bk))
        (call $copyRows (local.get $dva) (local.get $ldV) (i32.add (local.get $dv) (i32.shl (i32.mul (local.get $j0) (local.get $Ev)) (i32.const 3))) (i32.shl (local.get $Ev) (i32.const 3)) (local.get $bk))
        (local.set $j0 (i32.add (local.get $j0) (i32.const 64)))
        (br $keys)))
    (call $copyRows (local.get $dqa) (local.get $ldE) (local.get $dq) (i32.shl (local.get $E) (i32.const 3)) (local.get $L)))
)
