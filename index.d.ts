// Types of the wasmgrad package (hand-written; the implementation is js/).

export type DType = 'float32' | 'float64' | 'int32';

export type ErrorCode =
  | 'NOT_INITIALIZED'
  | 'INVALID_ARGUMENT'
  | 'SHAPE_MISMATCH'
  | 'DTYPE_MISMATCH'
  | 'DISPOSED'
  | 'GRAPH_FREED'
  | 'NOT_RECORDED'
  | 'NOT_DIFFERENTIABLE'
  | 'OUT_OF_MEMORY';

/** Every error of the library. */
export declare class WasmgradError extends Error {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown });
  readonly name: 'WasmgradError';
  readonly code: ErrorCode;
}

export interface InitOptions {
  /** Where the wasm is: a URL, a path (Node), the bytes, a fetch Response or a compiled module.
   * Default: dist/wasmgrad.wasm next to the package (in Node, env WASMGRAD_WASM if set). */
  wasm?: URL | string | ArrayBuffer | ArrayBufferView | Response | WebAssembly.Module;
}

/** Loads and instantiates the wasm once; later calls return the same promise. */
export declare function init(opts?: InitOptions): Promise<void>;

/** A shape: one size or a list of sizes (non-negative integers). */
export type Shape = number | readonly number[];
/** Axes: one axis, a list of axes, or null/undefined for all. Negative axes count from the end. */
export type Axis = number | readonly number[] | null | undefined;

export type NestedNumbers = number | NestedNumbers[];
export type TypedArray =
  | Float32Array | Float64Array | Int32Array | Int16Array | Int8Array
  | Uint32Array | Uint16Array | Uint8Array | Uint8ClampedArray;
/** Numbers, nested arrays of them; the innermost rows may be typed arrays. */
export type NestedData = number | boolean | TypedArray | readonly NestedData[];
export type ArrayData = NestedData | NDArray;
/** An operand of a binary operator: an array or a JS number (which takes the array's dtype). */
export type Operand = NDArray | number;
/** int32 indices or labels: an int32 NDArray or JS integers. */
export type Indices = NDArray | number | readonly NestedNumbers[];

export interface DTypeOptions { dtype?: DType }
export interface ArrayOptions extends DTypeOptions { shape?: Shape }
export interface ReduceOptions { axis?: Axis; keepdims?: boolean }
export interface NormOptions extends ReduceOptions { ord?: number }
export interface AxisOptions { axis?: number }
export interface LinspaceOptions extends DTypeOptions { endpoint?: boolean }
export interface AttachGradOptions { gradReq?: 'write' | 'add' }
export interface BackwardOptions { retainGraph?: boolean; trainMode?: boolean }

type UnaryName =
  | 'negative' | 'abs' | 'sign' | 'square' | 'sqrt' | 'cbrt' | 'rsqrt' | 'rcbrt' | 'reciprocal'
  | 'exp' | 'expm1' | 'log' | 'log2' | 'log10' | 'log1p'
  | 'sin' | 'cos' | 'tan' | 'arcsin' | 'arccos' | 'arctan'
  | 'sinh' | 'cosh' | 'tanh' | 'arcsinh' | 'arccosh' | 'arctanh'
  | 'sigmoid' | 'softsign' | 'relu' | 'softplus' | 'erf' | 'degrees' | 'radians'
  | 'floor' | 'ceil' | 'round' | 'trunc';
type BinaryName =
  | 'add' | 'subtract' | 'multiply' | 'divide' | 'power' | 'maximum' | 'minimum' | 'hypot' | 'arctan2'
  | 'equal' | 'notEqual' | 'greater' | 'greaterEqual' | 'less' | 'lessEqual';
/** Method short names: x.sub(y) is x.subtract(y). */
type BinaryAlias = 'sub' | 'mul' | 'div' | 'pow';
type ReduceName = 'sum' | 'mean' | 'prod' | 'max' | 'min' | 'logsumexp';

interface Reduce {
  (opts?: ReduceOptions): NDArray;
  (axis: Axis, keepdims?: boolean): NDArray;
}
interface ReduceFn {
  (x: NDArray, opts?: ReduceOptions): NDArray;
  (x: NDArray, axis: Axis, keepdims?: boolean): NDArray;
}

type UnaryMethods = { [K in UnaryName | 'neg']: () => NDArray };
type BinaryMethods = { [K in BinaryName | BinaryAlias]: (other: Operand) => NDArray };
type ReduceMethods = { [K in ReduceName]: Reduce };

/** An n-dimensional array in wasm memory. Made by nd functions, never with `new`. */
export declare class NDArray {
  private constructor();
  /** A fresh copy of the shape. */
  readonly shape: number[];
  readonly dtype: DType;
  readonly size: number;
  readonly ndim: number;
  /** The gradient written by the last backward, for a variable (attachGrad); else null. */
  readonly grad: NDArray | null;
  readonly isDisposed: boolean;

  /** Frees the array now (idempotent). Graphs that use it keep what they need. */
  dispose(): void;
  /** Makes the array a variable with a zero gradient ('write' overwrites, 'add' accumulates). */
  attachGrad(opts?: AttachGradOptions): this;
  /** Backward from this array; headGrad defaults to ones. */
  backward(headGrad?: NDArray | null, opts?: BackwardOptions): void;
  backward(opts: BackwardOptions): void;
  /** The same values, cut from any graph. */
  detach(): NDArray;
  astype(dtype: DType): NDArray;

  /** Nested JS arrays; a number for a 0-d array. */
  toArray(): NestedNumbers;
  /** A flat copy of the values. */
  toTypedArray(): Float32Array | Float64Array | Int32Array;
  /** The value of a one-element array. */
  item(): number;
  toString(): string;

  norm(opts?: NormOptions): NDArray;
  clip(min: number | null | undefined, max: number | null | undefined): NDArray;
  /** this is the condition: cond.where(a, b). */
  where(a: Operand, b: Operand): NDArray;
  reshape(shape: Shape): NDArray;
  reshape(...sizes: number[]): NDArray;
  transpose(axes?: readonly number[]): NDArray;
  transpose(...axes: number[]): NDArray;
  expandDims(axis: number): NDArray;
  squeeze(axis?: Axis): NDArray;
  broadcastTo(shape: Shape): NDArray;
  broadcastTo(...sizes: number[]): NDArray;
  /** Joins this array first, then others. */
  concat(others: NDArray | readonly NDArray[], axis?: number): NDArray;
  stack(others: NDArray | readonly NDArray[], axis?: number): NDArray;
  slice(begin?: SliceIndex, end?: SliceIndex, step?: SliceIndex): NDArray;
  flip(axis?: Axis): NDArray;
  take(indices: Indices, axis?: number): NDArray;
  dot(other: NDArray): NDArray;
  matmul(other: NDArray): NDArray;
  fullyConnected(weight: NDArray, bias?: NDArray | null): NDArray;
  softmax(axis?: number | AxisOptions): NDArray;
  logSoftmax(axis?: number | AxisOptions): NDArray;
  softmaxCrossEntropy(labels: Indices): NDArray;
}
export interface NDArray extends UnaryMethods, BinaryMethods, ReduceMethods {}

/** Per axis from the first; null entries take the default (the whole axis). */
export type SliceIndex = number | readonly (number | null | undefined)[] | null;

type UnaryFns = { [K in UnaryName]: (x: NDArray) => NDArray };
type BinaryFns = { [K in BinaryName]: (a: Operand, b: Operand) => NDArray };
type ReduceFns = { [K in ReduceName]: ReduceFn };

export interface Random {
  /** Seeds the generator (an integer from 0 to 2^53). */
  seed(n: number): void;
  /** Uniform in [low, high); shape defaults to [] (one number). */
  uniform(low?: number, high?: number, shape?: Shape, opts?: DTypeOptions): NDArray;
  normal(mean?: number, std?: number, shape?: Shape, opts?: DTypeOptions): NDArray;
}

export interface MemoryInfo {
  /** Live NDArray handles. */
  arrays: number;
  /** Bytes of their data. */
  bytes: number;
  /** Bytes held only by recorded graphs. */
  graphBytes: number;
  /** The size of the wasm memory. */
  wasmBytes: number;
}

/** A value that nd.tidy searches for NDArrays to keep. */
export type Tidied = NDArray | readonly Tidied[] | { readonly [key: string]: Tidied } | number | string | boolean | null | undefined | void;

export interface Nd extends UnaryFns, BinaryFns, ReduceFns {
  array(data: ArrayData, opts?: ArrayOptions): NDArray;
  zeros(shape: Shape, opts?: DTypeOptions): NDArray;
  ones(shape: Shape, opts?: DTypeOptions): NDArray;
  full(shape: Shape, value: number, opts?: DTypeOptions): NDArray;
  zerosLike(x: NDArray): NDArray;
  onesLike(x: NDArray): NDArray;
  /** arange(stop) or arange(start, stop, step = 1); stop is excluded. */
  arange(stop: number, opts?: DTypeOptions): NDArray;
  arange(start: number, stop: number, opts?: DTypeOptions): NDArray;
  arange(start: number, stop: number, step: number, opts?: DTypeOptions): NDArray;
  /** num (default 50) evenly spaced values from start to stop (included unless endpoint: false). */
  linspace(start: number, stop: number, num?: number, opts?: LinspaceOptions): NDArray;
  linspace(start: number, stop: number, opts: LinspaceOptions): NDArray;
  /** n×m with ones on the k-th diagonal. */
  eye(n: number, opts?: DTypeOptions & { m?: number; k?: number }): NDArray;
  readonly random: Random;

  norm(x: NDArray, opts?: NormOptions): NDArray;
  clip(x: NDArray, min: number | null | undefined, max: number | null | undefined): NDArray;
  where(cond: NDArray, a: Operand, b: Operand): NDArray;
  astype(x: NDArray, dtype: DType): NDArray;
  reshape(x: NDArray, shape: Shape): NDArray;
  reshape(x: NDArray, ...sizes: number[]): NDArray;
  transpose(x: NDArray, axes?: readonly number[]): NDArray;
  transpose(x: NDArray, ...axes: number[]): NDArray;
  expandDims(x: NDArray, axis: number): NDArray;
  squeeze(x: NDArray, axis?: Axis): NDArray;
  broadcastTo(x: NDArray, shape: Shape): NDArray;
  broadcastTo(x: NDArray, ...sizes: number[]): NDArray;
  concat(xs: readonly NDArray[], axis?: number): NDArray;
  stack(xs: readonly NDArray[], axis?: number): NDArray;
  slice(x: NDArray, begin?: SliceIndex, end?: SliceIndex, step?: SliceIndex): NDArray;
  flip(x: NDArray, axis?: Axis): NDArray;
  /** Does not clip: an index out of range is an INVALID_ARGUMENT error. */
  take(x: NDArray, indices: Indices, axis?: number): NDArray;
  dot(a: NDArray, b: NDArray): NDArray;
  matmul(a: NDArray, b: NDArray): NDArray;
  /** x · weightᵀ + bias. */
  fullyConnected(x: NDArray, weight: NDArray, bias?: NDArray | null): NDArray;
  softmax(x: NDArray, axis?: number | AxisOptions): NDArray;
  logSoftmax(x: NDArray, axis?: number | AxisOptions): NDArray;
  /** Mean over the batch of -log softmax(logits)[label]. */
  softmaxCrossEntropy(logits: NDArray, labels: Indices): NDArray;

  /** Runs fn and disposes every NDArray it created except those in its result. */
  tidy<T extends Tidied>(fn: () => T): T;
  memory(): MemoryInfo;
}

export declare const nd: Nd;

export interface RecordOptions { trainMode?: boolean }
export interface GradOptions {
  headGrads?: NDArray | readonly (NDArray | null)[];
  /** Defaults to createGraph. */
  retainGraph?: boolean;
  createGraph?: boolean;
  trainMode?: boolean;
  /** Gradients w.r.t. variables the heads do not depend on are zeros instead of an error. */
  allowUnused?: boolean;
}
export interface AutogradBackwardOptions extends BackwardOptions {
  headGrads?: NDArray | readonly (NDArray | null)[];
}

/** What a custom function's backward returns: one gradient per argument of forward (null for
 * none; trailing arguments that are not arrays may be left out), or one NDArray when forward
 * takes one argument. */
export type InputGradients = NDArray | null | undefined | readonly (NDArray | null | undefined)[];

export interface FunctionOptions<Out extends NDArray | NDArray[] = NDArray> {
  /** Computes the outputs from the inputs (recording is paused while it runs). `this` is the
   * call's context: this.saveForBackward(...), and any values to keep for backward. */
  forward?: (this: AutogradFunction<Out>, ...inputs: any[]) => Out;
  /** Gets one gradient per output, returns the gradients of the inputs, with nd operators.
   * `this.saved` holds what forward saved. */
  backward?: (this: AutogradFunction<Out>, ...outputGrads: NDArray[]) => InputGradients;
  /** Its backward is not recorded: a derivative of order 2 or more through it is a
   * NOT_DIFFERENTIABLE error (first derivatives work, also with createGraph). Default false. */
  onceDifferentiable?: boolean;
  /** The name in error messages (default: the subclass name). */
  name?: string;
}

/**
 * A function with a derivative written by the user (MXNet's autograd.Function, PyTorch's
 * torch.autograd.Function), made by `autograd.Function`. Subclass it, or pass forward and
 * backward as options:
 * ```
 * class Cube extends autograd.Function {
 *   forward(x) { this.saveForBackward(x); return x.mul(x).mul(x); }
 *   backward(g) { const [x] = this.saved; return g.mul(x.square()).mul(3); }
 * }
 * const y = autograd.record(() => new Cube().apply(x));
 * ```
 * backward is recorded when a gradient is taken with createGraph, so every order works. Saved
 * inputs and outputs stay differentiable; other saved arrays are constants at higher orders
 * (as in PyTorch): save an input or an output, or recompute from the inputs in backward.
 * Do not call autograd.grad/backward inside backward (INVALID_ARGUMENT).
 */
export interface AutogradFunction<Out extends NDArray | NDArray[] = NDArray> {
  /** Runs forward and records its result with this function's backward. Bound: can be passed
   * as a function (func.grad(fn.apply)). One instance can be applied any number of times. */
  apply(...inputs: any[]): Out;
  /** In forward: keeps arrays for backward (saving again replaces them). */
  saveForBackward(...arrays: (NDArray | null | undefined)[]): void;
  /** In backward: what forward saved, in order. Valid during backward only. */
  readonly saved: (NDArray | null)[];
  /** In backward: per argument of forward, whether its gradient is needed. */
  readonly needsInputGrad: boolean[];
  /** Defined by a subclass (or given as an option). */
  forward?(...inputs: any[]): Out;
  backward?(...outputGrads: NDArray[]): InputGradients;
}

export interface AutogradFunctionConstructor {
  new <Out extends NDArray | NDArray[] = NDArray>(opts?: FunctionOptions<Out>): AutogradFunction<Out>;
  readonly prototype: AutogradFunction<NDArray | NDArray[]>;
}

export declare const autograd: {
  /** Custom functions: subclass it or construct it with { forward, backward }. */
  Function: AutogradFunctionConstructor;
  /** Runs fn synchronously while recording (trainMode defaults to true). */
  record<T>(fn: () => T, opts?: RecordOptions): T;
  /** Runs fn without recording (trainMode defaults to false). */
  pause<T>(fn: () => T, opts?: RecordOptions): T;
  isRecording(): boolean;
  isTraining(): boolean;
  /** One gradient per variable; `.grad` is not touched. */
  grad(heads: NDArray | readonly NDArray[], variables: NDArray | readonly NDArray[], opts?: GradOptions): NDArray[];
  /** Writes (or adds into) the `.grad` of every variable. */
  backward(heads: NDArray | readonly NDArray[], opts?: AutogradBackwardOptions): void;
};

/** An argument of a transformed function: an NDArray, or data that nd.array accepts. */
export type Primal = NDArray | NestedData;
type Fn = (...args: any[]) => NDArray;
type GradOf<A> = A extends readonly number[] ? NDArray[] : NDArray;

export interface ArgnumsOptions<A extends number | readonly number[] = number | readonly number[]> {
  argnums?: A;
}

export declare const func: {
  /** The gradient(s) of a scalar-valued f with respect to the argnums arguments (default 0). */
  grad<A extends number | readonly number[] = 0>(f: Fn, opts?: ArgnumsOptions<A>): (...args: any[]) => GradOf<A>;
  valueAndGrad<A extends number | readonly number[] = 0>(f: Fn, opts?: ArgnumsOptions<A>): (...args: any[]) => [NDArray, GradOf<A>];
  /** [f(...primals), vjpFn]; vjpFn(cotangent) gives one gradient per primal. */
  vjp(f: Fn, ...primals: Primal[]): [NDArray, (cotangent: NDArray) => NDArray[]];
  /** [f(...primals), J · tangents], exact. */
  jvp(f: Fn, primals: Primal | readonly Primal[], tangents: Primal | readonly Primal[]): [NDArray, NDArray];
  /** d out / d args[argnums], shape out.shape + in.shape; an array per argnum when argnums is an
   * array, and an array per output when f returns an array. */
  jacobian<F extends (...args: any[]) => NDArray | NDArray[], A extends number | readonly number[] = 0>(
    f: F, opts?: ArgnumsOptions<A>): (...args: any[]) => ReturnType<F> extends NDArray[] ? GradOf<A>[] : GradOf<A>;
  /** Second derivatives, shape in.shape + in.shape ([i][j] for d2f/dxi dxj when argnums is an array). */
  hessian<A extends number | readonly number[] = 0>(f: Fn, opts?: ArgnumsOptions<A>):
    (...args: any[]) => A extends readonly number[] ? NDArray[][] : NDArray;
  /** Hessian-vector products, one per primal. */
  hvp(f: Fn, primals: Primal | readonly Primal[], tangents: Primal | readonly Primal[]): NDArray[];
  /** Derivatives of orders 1..order against float64 central differences along random directions
   * (PyTorch's gradcheck / gradgradcheck). inputs: the arguments of f (float data and arrays are
   * checked on float64 copies; int32 arrays are passed as they are). */
  checkGrad(f: Fn, inputs: NDArray | readonly Primal[], opts?: CheckGradOptions): CheckGradResult;
};

export interface CheckGradOptions {
  /** Highest order checked (default 1). */
  order?: number;
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** A check passes when |analytic - numeric| <= atol + rtol |numeric| (defaults 1e-5, 1e-3). */
  atol?: number;
  rtol?: number;
  /** Seed of the random directions and head gradients (default 0); nd.random is not used. */
  seed?: number;
}
export interface CheckGradDetail {
  order: number;
  /** The argument index. */
  input: number;
  /** The directional derivative from wasmgrad, and from finite differences. */
  analytic: number;
  numeric: number;
  absError: number;
  relError: number;
  ok: boolean;
}
export interface CheckGradResult {
  ok: boolean;
  maxAbsError: number;
  maxRelError: number;
  /** One per order and checked input, order by order. */
  details: CheckGradDetail[];
}
