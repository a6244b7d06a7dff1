// Sorting and selection along the middle axis of [outer, n, inner]: sort, topk, kthvalue, median
// and mode. Where PyTorch leaves the order of tied elements to its algorithm (an unstable sort,
// topk, kthvalue, mode), these kernels run the same algorithm, so that ties resolve as they do in
// PyTorch on CPU (whose sort, topk and mode call libstdc++'s std::sort, std::partial_sort and
// std::nth_element, and whose kthvalue runs TH's quickselect): the ports below follow those step
// by step. The stable sort is a merge sort.
import type { TypedArray } from '../types.js';

type Less = (a: number, b: number) => boolean;

/** NaN is the largest value (PyTorch's order for sort and topk). */
const ascNanLast: Less = (a, b) => (a === a && b !== b) || a < b;
const descNanFirst: Less = (a, b) => (a !== a && b === b) || a > b;
/** mode compares with a plain <, as PyTorch's mode kernel does (NaN then sorts where it falls). */
const plainLess: Less = (a, b) => a < b;

/**
 * One slice as (value, position) pairs, reordered by libstdc++'s algorithms with a comparator on
 * the values only. Moves and swaps carry both halves of a pair.
 */
class Pairs {
  v: Float64Array;
  ix: Int32Array;
  less: Less = ascNanLast;
  private scratch: [Float64Array, Int32Array] | null = null;

  constructor(n: number) {
    this.v = new Float64Array(n);
    this.ix = new Int32Array(n);
  }

  /** Reads slice (o, i) of x viewed as [outer, n, inner]: positions 0..n-1 in order. */
  load(x: TypedArray, base: number, n: number, inner: number): void {
    for (let j = 0; j < n; j++) {
      this.v[j] = x[base + j * inner];
      this.ix[j] = j;
    }
  }

  store(values: TypedArray, indices: Int32Array, base: number, count: number, inner: number): void {
    for (let j = 0; j < count; j++) {
      values[base + j * inner] = this.v[j];
      indices[base + j * inner] = this.ix[j];
    }
  }

  private lt(i: number, j: number): boolean {
    return this.less(this.v[i], this.v[j]);
  }

  private swap(i: number, j: number): void {
    const { v, ix } = this;
    const tv = v[i];
    const ti = ix[i];
    v[i] = v[j];
    ix[i] = ix[j];
    v[j] = tv;
    ix[j] = ti;
  }

  private move(to: number, from: number): void {
    this.v[to] = this.v[from];
    this.ix[to] = this.ix[from];
  }

  /** std::sort on [first, last): introsort, then a final insertion sort. */
  sort(first: number, last: number): void {
    if (first === last) return;
    this.introsortLoop(first, last, 2 * lg(last - first));
    this.finalInsertionSort(first, last);
  }

  /** std::partial_sort: the smallest `middle - first` of [first, last), sorted, at the front. */
  partialSort(first: number, middle: number, last: number): void {
    this.heapSelect(first, middle, last);
    this.sortHeap(first, middle);
  }

  /** std::nth_element: [first, last) partitioned around the element that belongs at nth. */
  nthElement(first: number, nth: number, last: number): void {
    if (first === last || nth === last) return;
    let depth = 2 * lg(last - first);
    while (last - first > 3) {
      if (depth === 0) {
        this.heapSelect(first, nth + 1, last);
        this.swap(first, nth);
        return;
      }
      depth--;
      const cut = this.partitionPivot(first, last);
      if (cut <= nth) first = cut;
      else last = cut;
    }
    this.insertionSort(first, last);
  }

  private introsortLoop(first: number, last: number, depth: number): void {
    while (last - first > THRESHOLD) {
      if (depth === 0) {
        this.partialSort(first, last, last);
        return;
      }
      depth--;
      const cut = this.partitionPivot(first, last);
      this.introsortLoop(cut, last, depth);
      last = cut;
    }
  }

  private partitionPivot(first: number, last: number): number {
    const mid = first + ((last - first) >> 1);
    this.moveMedianToFirst(first, first + 1, mid, last - 1);
    // unguarded partition of [first + 1, last) around the pivot now at first
    let lo = first + 1;
    let hi = last;
    for (;;) {
      while (this.lt(lo, first)) lo++;
      hi--;
      while (this.lt(first, hi)) hi--;
      if (!(lo < hi)) return lo;
      this.swap(lo, hi);
      lo++;
    }
  }

  private moveMedianToFirst(result: number, a: number, b: number, c: number): void {
    if (this.lt(a, b)) {
      if (this.lt(b, c)) this.swap(result, b);
      else if (this.lt(a, c)) this.swap(result, c);
      else this.swap(result, a);
    } else if (this.lt(a, c)) this.swap(result, a);
    else if (this.lt(b, c)) this.swap(result, c);
    else this.swap(result, b);
  }

  private finalInsertionSort(first: number, last: number): void {
    if (last - first > THRESHOLD) {
      this.insertionSort(first, first + THRESHOLD);
      for (let i = first + THRESHOLD; i < last; i++) this.unguardedLinearInsert(i);
    } else {
      this.insertionSort(first, last);
    }
  }

  private insertionSort(first: number, last: number): void {
    if (first === last) return;
    const { v, ix } = this;
    for (let i = first + 1; i < last; i++) {
      if (this.lt(i, first)) {
        const tv = v[i];
        const ti = ix[i];
        v.copyWithin(first + 1, first, i);
        ix.copyWithin(first + 1, first, i);
        v[first] = tv;
        ix[first] = ti;
      } else {
        this.unguardedLinearInsert(i);
      }
    }
  }

  private unguardedLinearInsert(last: number): void {
    const { v, ix } = this;
    const tv = v[last];
    const ti = ix[last];
    let next = last - 1;
    while (this.less(tv, v[next])) {
      this.move(last, next);
      last = next;
      next--;
    }
    v[last] = tv;
    ix[last] = ti;
  }

  private heapSelect(first: number, middle: number, last: number): void {
    this.makeHeap(first, middle);
    for (let i = middle; i < last; i++) if (this.lt(i, first)) this.popHeap(first, middle, i);
  }

  private sortHeap(first: number, last: number): void {
    while (last - first > 1) {
      last--;
      this.popHeap(first, last, last);
    }
  }

  private makeHeap(first: number, last: number): void {
    const len = last - first;
    if (len < 2) return;
    for (let parent = (len - 2) >> 1; ; parent--) {
      this.adjustHeap(first, parent, len, this.v[first + parent], this.ix[first + parent]);
      if (parent === 0) return;
    }
  }

  private popHeap(first: number, last: number, result: number): void {
    const tv = this.v[result];
    const ti = this.ix[result];
    this.move(result, first);
    this.adjustHeap(first, 0, last - first, tv, ti);
  }

  private adjustHeap(first: number, hole: number, len: number, tv: number, ti: number): void {
    const top = hole;
    let second = hole;
    while (second < (len - 1) >> 1) {
      second = 2 * (second + 1);
      if (this.lt(first + second, first + second - 1)) second--;
      this.move(first + hole, first + second);
      hole = second;
    }
    if ((len & 1) === 0 && second === (len - 2) >> 1) {
      second = 2 * (second + 1);
      this.move(first + hole, first + second - 1);
      hole = second - 1;
    }
    // push the held pair back up from the hole
    let parent = (hole - 1) >> 1;
    while (hole > top && this.less(this.v[first + parent], tv)) {
      this.move(first + hole, first + parent);
      hole = parent;
      parent = (hole - 1) >> 1;
    }
    this.v[first + hole] = tv;
    this.ix[first + hole] = ti;
  }

  /** A stable merge sort of [0, n) by `less`. */
  stableSort(n: number): void {
    this.scratch ??= [new Float64Array(this.v.length), new Int32Array(this.v.length)];
    let [av, ai, bv, bi] = [this.v, this.ix, ...this.scratch];
    for (let w = 1; w < n; w *= 2) {
      for (let lo = 0; lo < n; lo += 2 * w) {
        const mid = Math.min(lo + w, n);
        const hi = Math.min(lo + 2 * w, n);
        let i = lo;
        let j = mid;
        for (let k = lo; k < hi; k++) {
          // the right run's element goes first only when strictly smaller: ties keep their order
          if (i < mid && (j >= hi || !this.less(av[j], av[i]))) {
            bv[k] = av[i];
            bi[k] = ai[i++];
          } else {
            bv[k] = av[j];
            bi[k] = ai[j++];
          }
        }
      }
      [av, ai, bv, bi] = [bv, bi, av, ai];
    }
    if (av !== this.v) {
      this.v.set(av.subarray(0, n));
      this.ix.set(ai.subarray(0, n));
    }
  }

  /**
   * TH's quickselect (Sedgewick's partitioning, median-of-three pivot), as PyTorch's kthvalue runs
   * it: afterwards position k holds the element of rank k (NaN largest).
   */
  quickSelect(n: number, k: number): void {
    const gt = (i: number, j: number) => descNanFirst(this.v[i], this.v[j]);
    let lo = 0;
    let hi = n - 1;
    for (;;) {
      if (hi <= lo) return;
      if (hi === lo + 1) {
        if (gt(lo, hi)) this.swap(lo, hi);
        return;
      }
      this.swap((lo + hi) >> 1, lo + 1);
      if (gt(lo + 1, hi)) this.swap(lo + 1, hi);
      if (gt(lo, hi)) this.swap(lo, hi);
      if (gt(lo + 1, lo)) this.swap(lo + 1, lo);
      let i = lo + 1;
      let j = hi;
      const piv = this.v[lo];
      for (;;) {
        do i++;
        while (descNanFirst(piv, this.v[i]));
        do j--;
        while (descNanFirst(this.v[j], piv));
        if (j < i) break;
        this.swap(i, j);
      }
      this.swap(lo, j);
      if (j <= k) lo = i;
      if (j >= k) hi = j - 1;
    }
  }
}

/** libstdc++'s _S_threshold: slices up to this long are insertion-sorted (so stay stable). */
const THRESHOLD = 16;

/** ⌊log₂ n⌋ for n ≥ 1 (libstdc++'s __lg). */
function lg(n: number): number {
  return 31 - Math.clz32(n);
}

/** Runs `f` on every slice of [outer, n, inner] with the slice loaded into `p`. */
function eachSlice(x: TypedArray, outer: number, n: number, inner: number, f: (p: Pairs, base: number, outBase: number) => void, outN = n): void {
  const p = new Pairs(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      p.load(x, o * n * inner + i, n, inner);
      f(p, o * n * inner + i, o * outN * inner + i);
    }
  }
}

export function sort(x: TypedArray, outer: number, n: number, inner: number, values: TypedArray, indices: Int32Array, descending: boolean, stable: boolean): void {
  eachSlice(x, outer, n, inner, (p, base) => {
    p.less = descending ? descNanFirst : ascNanLast;
    if (stable) p.stableSort(n);
    else p.sort(0, n);
    p.store(values, indices, base, n, inner);
  });
}

export function topk(x: TypedArray, outer: number, n: number, inner: number, k: number, largest: boolean, sorted: boolean, values: TypedArray, indices: Int32Array): void {
  if (k === 0) return;
  eachSlice(
    x,
    outer,
    n,
    inner,
    (p, _base, outBase) => {
      p.less = largest ? descNanFirst : ascNanLast;
      // PyTorch's choice: a heap when k is small next to n, else a selection (then sort the first k-1)
      if (k * 64 <= n) p.partialSort(0, k, n);
      else {
        p.nthElement(0, k - 1, n);
        if (sorted) p.sort(0, k - 1);
      }
      p.store(values, indices, outBase, k, inner);
    },
    k,
  );
}

/** Loads every slice into pairs; the pair at the position `pick` returns is that slice's value and index. */
function pickEach(x: TypedArray, outer: number, n: number, inner: number, values: TypedArray, indices: Int32Array, pick: (p: Pairs) => number): void {
  if (n === 0) return;
  eachSlice(
    x,
    outer,
    n,
    inner,
    (p, _base, outBase) => {
      const j = pick(p);
      values[outBase] = p.v[j];
      indices[outBase] = p.ix[j];
    },
    1,
  );
}

export function kthvalue(x: TypedArray, outer: number, n: number, inner: number, k: number, values: TypedArray, indices: Int32Array): void {
  pickEach(x, outer, n, inner, values, indices, (p) => {
    p.quickSelect(n, k - 1);
    return k - 1;
  });
}

export function median(x: TypedArray, outer: number, n: number, inner: number, values: TypedArray, indices: Int32Array): void {
  pickEach(x, outer, n, inner, values, indices, (p) => {
    // the first NaN (pairs are still in input order), else the element of rank (n-1)/2 with ties
    // broken by position (PyTorch's nth_element comparator)
    for (let j = 0; j < n; j++) if (p.v[j] !== p.v[j]) return j;
    p.less = ascNanLast;
    p.stableSort(n);
    return (n - 1) >> 1;
  });
}

export function mode(x: TypedArray, outer: number, n: number, inner: number, values: TypedArray, indices: Int32Array): void {
  pickEach(x, outer, n, inner, values, indices, (p) => {
    p.less = plainLess;
    p.sort(0, n);
    // the first longest run of equal values (NaN equals nothing), reported by its last element
    let best = 0;
    let bestAt = 0;
    let run = 0;
    for (let j = 0; j < n; j++) {
      run++;
      if (j === n - 1 || p.v[j] !== p.v[j + 1]) {
        if (run > best) {
          best = run;
          bestAt = j;
        }
        run = 0;
      }
    }
    return bestAt;
  });
}
