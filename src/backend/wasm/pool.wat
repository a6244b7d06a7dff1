;; chainrule's WebAssembly 2-d pooling kernels: max pooling with the position of each maximum,
;; average pooling and its adjoint, over the window tables of PoolWindows (src/backend/types.ts),
;; one function per float type.
;; Assembled by scripts/build-wasm.mjs (wabt) into pool-bytes.ts; kept under 4 KB so that browsers
;; compile it synchronously on the main thread.
;;
;; Arguments are byte addresses in the exported memory: x (or gy/gx) of the function's float type,
;; rows and cols as i32 [start, end) pairs, the divisors as f64, the indices as i32. Sums are taken
;; in double precision and rounded once when stored, as the TypeScript kernels do, so results are
;; bitwise those of the TypeScript kernels.
(module
  (memory (export "memory") 1)

  ;; out[p, i, j] = max of window (i, j) of plane p, idx[p, i, j] = its position r·W + c: a value
  ;; replaces the best so far when larger or NaN (a select, not a branch: on random data the
  ;; comparison is a coin toss).
  (func (export "maxPool32") (param $x i32) (param $out i32) (param $idx i32) (param $rows i32) (param $cols i32)
    (param $planes i32) (param $H i32) (param $W i32) (param $OH i32) (param $OW i32) (param $rs i32) (param $cs i32)
    (local $p i32) (local $i i32) (local $j i32) (local $r i32) (local $c i32) (local $o i32) (local $base i32)
    (local $r1 i32) (local $c0 i32) (local $c1 i32) (local $at i32) (local $pos i32) (local $rw i32) (local $take i32)
    (local $best f32) (local $v f32)
    (block $pd (loop $pl
      (br_if $pd (i32.ge_u (local.get $p) (local.get $planes)))
      (local.set $base (i32.add (local.get $x) (i32.shl (i32.mul (local.get $p) (i32.mul (local.get $H) (local.get $W))) (i32.const 2))))
      (local.set $i (i32.const 0))
      (block $id (loop $il
        (br_if $id (i32.ge_u (local.get $i) (local.get $OH)))
        (local.set $r1 (i32.load offset=4 (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $j (i32.const 0))
        (block $jd (loop $jl
          (br_if $jd (i32.ge_u (local.get $j) (local.get $OW)))
          (local.set $c0 (i32.load (i32.add (local.get $cols) (i32.shl (local.get $j) (i32.const 3)))))
          (local.set $c1 (i32.load offset=4 (i32.add (local.get $cols) (i32.shl (local.get $j) (i32.const 3)))))
          (local.set $r (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 3)))))
          (local.set $at (i32.add (i32.mul (local.get $r) (local.get $W)) (local.get $c0)))
          (local.set $best (f32.const -inf))
          (block $rd (loop $rl
            (br_if $rd (i32.ge_s (local.get $r) (local.get $r1)))
            (local.set $rw (i32.mul (local.get $r) (local.get $W)))
            (local.set $c (local.get $c0))
            (block $cd (loop $cl
              (br_if $cd (i32.ge_s (local.get $c) (local.get $c1)))
              (local.set $pos (i32.add (local.get $rw) (local.get $c)))
              (local.set $v (f32.load (i32.add (local.get $base) (i32.shl (local.get $pos) (i32.const 2)))))
              (local.set $take (i32.or (f32.gt (local.get $v) (local.get $best)) (f32.ne (local.get $v) (local.get $v))))
              (local.set $best (select (local.get $v) (local.get $best) (local.get $take)))
              (local.set $at (select (local.get $pos) (local.get $at) (local.get $take)))
              (local.set $c (i32.add (local.get $c) (local.get $cs)))
              (br $cl)))
            (local.set $r (i32.add (local.get $r) (local.get $rs)))
            (br $rl)))
          (f32.store (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 2))) (local.get $best))
          (i32.store (i32.add (local.get $idx) (i32.shl (local.get $o) (i32.const 2))) (local.get $at))
          (local.set $o (i32.add (local.get $o) (i32.const 1)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jl)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $il)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pl))))

  ;; out[p, i, j] = max of window (i, j) of plane p, idx[p, i, j] = its position r·W + c: a value
  ;; replaces the best so far when larger or NaN (a select, not a branch: on random data the
  ;; comparison is a coin toss).
  (func (export "maxPool64") (param $x i32) (param $out i32) (param $idx i32) (param $rows i32) (param $cols i32)
    (param $planes i32) (param $H i32) (param $W i32) (param $OH i32) (param $OW i32) (param $rs i32) (param $cs i32)
    (local $p i32) (local $i i32) (local $j i32) (local $r i32) (local $c i32) (local $o i32) (local $base i32)
    (local $r1 i32) (local $c0 i32) (local $c1 i32) (local $at i32) (local $pos i32) (local $rw i32) (local $take i32)
    (local $best f64) (local $v f64)
    (block $pd (loop $pl
      (br_if $pd (i32.ge_u (local.get $p) (local.get $planes)))
      (local.set $base (i32.add (local.get $x) (i32.shl (i32.mul (local.get $p) (i32.mul (local.get $H) (local.get $W))) (i32.const 3))))
      (local.set $i (i32.const 0))
      (block $id (loop $il
        (br_if $id (i32.ge_u (local.get $i) (local.get $OH)))
        (local.set $r1 (i32.load offset=4 (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $j (i32.const 0))
        (block $jd (loop $jl
          (br_if $jd (i32.ge_u (local.get $j) (local.get $OW)))
          (local.set $c0 (i32.load (i32.add (local.get $cols) (i32.shl (local.get $j) (i32.const 3)))))
          (local.set $c1 (i32.load offset=4 (i32.add (local.get $cols) (i32.shl (local.get $j) (i32.const 3)))))
          (local.set $r (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 3)))))
          (local.set $at (i32.add (i32.mul (local.get $r) (local.get $W)) (local.get $c0)))
          (local.set $best (f64.const -inf))
          (block $rd (loop $rl
            (br_if $rd (i32.ge_s (local.get $r) (local.get $r1)))
            (local.set $rw (i32.mul (local.get $r) (local.get $W)))
            (local.set $c (local.get $c0))
            (block $cd (loop $cl
              (br_if $cd (i32.ge_s (local.get $c) (local.get $c1)))
              (local.set $pos (i32.add (local.get $rw) (local.get $c)))
              (local.set $v (f64.load (i32.add (local.get $base) (i32.shl (local.get $pos) (i32.const 3)))))
              (local.set $take (i32.or (f64.gt (local.get $v) (local.get $best)) (f64.ne (local.get $v) (local.get $v))))
              (local.set $best (select (local.get $v) (local.get $best) (local.get $take)))
              (local.set $at (select (local.get $pos) (local.get $at) (local.get $take)))
              (local.set $c (i32.add (local.get $c) (local.get $cs)))
              (br $cl)))
            (local.set $r (i32.add (local.get $r) (local.get $rs)))
            (br $rl)))
          (f64.store (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 3))) (local.get $best))
          (i32.store (i32.add (local.get $idx) (i32.shl (local.get $o) (i32.const 2))) (local.get $at))
          (local.set $o (i32.add (local.get $o) (i32.const 1)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jl)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $il)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pl))))

  ;; $back = 0: out[p, i, j] = sum of window (i, j) / (rowDiv[i]·colDiv[j]) (0 for an empty window);
  ;; $back = 1: the adjoint, x[p, window (i, j)] += out[p, i, j] / (rowDiv[i]·colDiv[j]).
  (func (export "avgPool32") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32) (param $rd i32) (param $cd i32)
    (param $planes i32) (param $H i32) (param $W i32) (param $OH i32) (param $OW i32) (param $rs i32) (param $cs i32) (param $back i32)
    (local $p i32) (local $i i32) (local $j i32) (local $r i32) (local $c i32) (local $o i32) (local $base i32)
    (local $r0 i32) (local $r1 i32) (local $c0 i32) (local $c1 i32) (local $k i32) (local $div f64) (local $s f64)
    (block $pd (loop $pl
      (br_if $pd (i32.ge_u (local.get $p) (local.get $planes)))
      (local.set $base (i32.add (local.get $x) (i32.shl (i32.mul (local.get $p) (i32.mul (local.get $H) (local.get $W))) (i32.const 2))))
      (local.set $i (i32.const 0))
      (block $id (loop $il
        (br_if $id (i32.ge_u (local.get $i) (local.get $OH)))
        (local.set $r0 (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $r1 (i32.load offset=4 (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $j (i32.const 0))
        (block $jd (loop $jl
          (br_if $jd (i32.ge_u (local.get $j) (local.get $OW)))
          (local.set $c0 (i32.load (i32.add (local.get $cols) (i32.shl (local.get $j) (i32.const 3)))))
          (local.set $c1 (i32.load offset=4 (i32.add (local.get $cols) (i32.shl (local.get $j) (i32.const 3)))))
          (local.set $div (f64.mul (f64.load (i32.add (local.get $rd) (i32.shl (local.get $i) (i32.const 3))))
                                   (f64.load (i32.add (local.get $cd) (i32.shl (local.get $j) (i32.const 3))))))
          (local.set $s (f64.const 0))
          (if (i32.and (i32.lt_s (local.get $r0) (local.get $r1)) (i32.lt_s (local.get $c0) (local.get $c1)))
            (then
              (if (local.get $back)
                (then (local.set $s (f64.div (f64.promote_f32 (f32.load (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 2))))) (local.get $div)))))
              (local.set $r (local.get $r0))
              (block $rdone (loop $rl
                (br_if $rdone (i32.ge_s (local.get $r) (local.get $r1)))
                (local.set $c (local.get $c0))
                (block $cdone (loop $cl
                  (br_if $cdone (i32.ge_s (local.get $c) (local.get $c1)))
                  (local.set $k (i32.add (local.get $base) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $W)) (local.get $c)) (i32.const 2))))
                  (if (local.get $back)
                    (then (f32.store (local.get $k) (f32.demote_f64 (f64.add (f64.promote_f32 (f32.load (local.get $k))) (local.get $s)))))
                    (else (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.load (local.get $k)))))))
                  (local.set $c (i32.add (local.get $c) (local.get $cs)))
                  (br $cl)))
                (local.set $r (i32.add (local.get $r) (local.get $rs)))
                (br $rl)))
              (if (i32.eqz (local.get $back)) (then (local.set $s (f64.div (local.get $s) (local.get $div)))))))
          (if (i32.eqz (local.get $back))
            (then (f32.store (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 2))) (f32.demote_f64 (local.get $s)))))
          (local.set $o (i32.add (local.get $o) (i32.const 1)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jl)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $il)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pl))))

  ;; $back = 0: out[p, i, j] = sum of window (i, j) / (rowDiv[i]·colDiv[j]) (0 for an empty window);
  ;; $back = 1: the adjoint, x[p, window (i, j)] += out[p, i, j] / (rowDiv[i]·colDiv[j]).
  (func (export "avgPool64") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32) (param $rd i32) (param $cd i32)
    (param $planes i32) (param $H i32) (param $W i32) (param $OH i32) (param $OW i32) (param $rs i32) (param $cs i32) (param $back i32)
    (local $p i32) (local $i i32) (local $j i32) (local $r i32) (local $c i32) (local $o i32) (local $base i32)
    (local $r0 i32) (local $r1 i32) (local $c0 i32) (local $c1 i32) (local $k i32) (local $div f64) (local $s f64)
    (block $pd (loop $pl
      (br_if $pd (i32.ge_u (local.get $p) (local.get $planes)))
      (local.set $base (i32.add (local.get $x) (i32.shl (i32.mul (local.get $p) (i32.mul (local.get $H) (local.get $W))) (i32.const 3))))
      (local.set $i (i32.const 0))
      (block $id (loop $il
        (br_if $id (i32.ge_u (local.get $i) (local.get $OH)))
        (local.set $r0 (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $r1 (i32.load offset=4 (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 3)))))
        (local.set $j (i32.const 0))
        (block $jd (loop $jl
          (br_if $jd (i32.ge_u (local.get $j) (local.get $OW)))
          (local.set $c0 (i32.load (i32.add (local.get $cols) (i32.shl (local.get $j) (i32.const 3)))))
          (local.set $c1 (i32.load offset=4 (i32.add (local.get $cols) (i32.shl (local.get $j) (i32.const 3)))))
          (local.set $div (f64.mul (f64.load (i32.add (local.get $rd) (i32.shl (local.get $i) (i32.const 3))))
                                   (f64.load (i32.add (local.get $cd) (i32.shl (local.get $j) (i32.const 3))))))
          (local.set $s (f64.const 0))
          (if (i32.and (i32.lt_s (local.get $r0) (local.get $r1)) (i32.lt_s (local.get $c0) (local.get $c1)))
            (then
              (if (local.get $back)
                (then (local.set $s (f64.div (f64.load (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 3)))) (local.get $div)))))
              (local.set $r (local.get $r0))
              (block $rdone (loop $rl
                (br_if $rdone (i32.ge_s (local.get $r) (local.get $r1)))
                (local.set $c (local.get $c0))
                (block $cdone (loop $cl
                  (br_if $cdone (i32.ge_s (local.get $c) (local.get $c1)))
                  (local.set $k (i32.add (local.get $base) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $W)) (local.get $c)) (i32.const 3))))
                  (if (local.get $back)
                    (then (f64.store (local.get $k) (f64.add (f64.load (local.get $k)) (local.get $s))))
                    (else (local.set $s (f64.add (local.get $s) (f64.load (local.get $k))))))
                  (local.set $c (i32.add (local.get $c) (local.get $cs)))
                  (br $cl)))
                (local.set $r (i32.add (local.get $r) (local.get $rs)))
                (br $rl)))
              (if (i32.eqz (local.get $back)) (then (local.set $s (f64.div (local.get $s) (local.get $div)))))))
          (if (i32.eqz (local.get $back))
            (then (f64.store (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 3))) (local.get $s))))
          (local.set $o (i32.add (local.get $o) (i32.const 1)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jl)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $il)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pl))))
)
