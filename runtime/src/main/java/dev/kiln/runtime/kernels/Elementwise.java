package dev.kiln.runtime.kernels;

/**
 * Everything generated networks compute besides matrix products ({@link Gemm}): bias helpers,
 * activations and their derivatives, softmax, and the additions and block copies of graph
 * networks. All run on the caller's thread: they are memory-bound and short.
 *
 * <p>Why an interface: generated code must run on every JDK 17+ without the user passing
 * {@code --add-modules jdk.incubator.vector}, yet be vectorized when they do. Code calls
 * {@link #ACTIVE}, which {@link KernelSelector} binds once at class initialization to the
 * Vector API implementation or to the plain-Java twin. The field is a constant, so after
 * warm-up the JIT sees a single receiver type and inlines through the interface.
 *
 * <p>To pick an implementation explicitly (tests, benchmarks) use
 * {@link KernelSelector#scalarElementwise()} or {@link KernelSelector#vectorElementwise()}.
 *
 * <p>Conventions shared by every method (the same as {@link Gemm}'s):
 * <ul>
 *   <li>Matrices are row-major; every array comes with an explicit element offset; {@code n}
 *       counts elements. Only {@link #copyBlock} takes row strides; the other matrix kernels
 *       work on dense {@code [rows x cols]} blocks.</li>
 *   <li>Inputs and outputs are distinct array regions (no in-place aliasing) unless a method
 *       says otherwise.</li>
 *   <li>{@code accumulate = true} adds into the output; {@code false} overwrites it (its
 *       previous contents, even NaN, are ignored).</li>
 *   <li>NaN propagates as in PyTorch's forward functions: a NaN input element gives NaN in every
 *       output element computed from it (for softmax, its whole row; for a column sum, that
 *       column), in forward and backward kernels alike. No kernel turns NaN into a number: the
 *       ReLU-family derivatives, whose value would not otherwise depend on x, give NaN where x is
 *       NaN.</li>
 *   <li>Backward kernels compute {@code dx = dy * f'(x)}; they receive both the pre-activation
 *       {@code x} and the forward output {@code y} so each can use whichever is cheaper and
 *       accurate. Derivatives follow PyTorch autograd, including at kinks:
 *       relu'(0) = 0, leakyRelu'(0) = alpha, elu'(0) = alpha (positive branch is {@code x > 0}).</li>
 *   <li>Implementations are stateless: safe to call from many threads.</li>
 * </ul>
 */
public interface Elementwise {

  /** The implementation chosen for this JVM: vectorized when the Vector API is available. */
  Elementwise ACTIVE = KernelSelector.selectElementwise();

  /** Human-readable name, e.g. {@code "Vector API, 16 float lanes (512-bit)"} or {@code "scalar"}. */
  String description();

  // ---------------------------------------------------------------- sums and copies

  /** {@code c[i] = a[i] + b[i]}; c may be exactly a or b (same array and offset). */
  void add(int n, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff);

  /**
   * Whether every element of {@code x[xOff .. xOff + n)} is finite (neither NaN nor infinite);
   * true when {@code n == 0}. The finiteness checks of inputs, batches and optimizer steps.
   */
  boolean allFinite(int n, float[] x, int xOff);

  /**
   * The sums of {@code |a[i]|} and of {@code |b[i]|} over {@code [offset, offset + n)} (two ranges
   * that share an offset: an optimizer's gradients and parameters) into {@code out[0..1]}, in one
   * pass, summed in float in the kernel's own order. Each is at least the largest {@code |x|} of
   * its range (sums of non-negative floats never decrease as they round), so it bounds the range
   * by its largest magnitude, cheaper than a maximum: NaN if an element is NaN, infinity if one is
   * infinite (or the sum overflows).
   */
  void sumAbs2(int n, int offset, float[] a, float[] b, float[] out);

  /** {@code y[i] += x[i]}. */
  void accumulate(int n, float[] x, int xOff, float[] y, int yOff);

  /**
   * Copies a {@code [rows x cols]} block: {@code dst[dstOff + r * dstStride + j] =
   * src[srcOff + r * srcStride + j]}. Concatenation along the last axis writes each input into
   * its column slice of the output this way, and its backward pass reads the slices back.
   */
  void copyBlock(int rows, int cols, float[] src, int srcOff, int srcStride, float[] dst,
      int dstOff, int dstStride);

  // ---------------------------------------------------------------- bias

  /** {@code x[r][c] += v[c]} for a {@code [rows x cols]} matrix (bias add). */
  void addRowVector(int rows, int cols, float[] v, int vOff, float[] x, int xOff);

  /** {@code out[c] (+)= sum over r of x[r][c]} (bias gradient). */
  void sumColumns(int rows, int cols, float[] x, int xOff, float[] out, int outOff,
      boolean accumulate);

  // ---------------------------------------------------------------- activations, forward

  /** {@code y = max(x, 0)}; NaN stays NaN ({@link Math#max(float, float)}). */
  void relu(int n, float[] x, int xOff, float[] y, int yOff);

  /** {@code y = x > 0 ? x : alpha * x}. */
  void leakyRelu(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

  /** {@code y = x > 0 ? x : alpha * (exp(x) - 1)}. */
  void elu(int n, float alpha, float[] x, int xOff, float[] y, int yOff);

  /** {@code y = SELU_SCALE * (x > 0 ? x : SELU_ALPHA * (exp(x) - 1))}. */
  void selu(int n, float[] x, int xOff, float[] y, int yOff);

  /** {@code y = 1 / (1 + exp(-x))}; finite and in [0, 1] for any finite x. */
  void sigmoid(int n, float[] x, int xOff, float[] y, int yOff);

  /** {@code y = tanh(x)}. */
  void tanh(int n, float[] x, int xOff, float[] y, int yOff);

  /** {@code y = x * sigmoid(x)} (swish with beta 1, also called SiLU). */
  void swish(int n, float[] x, int xOff, float[] y, int yOff);

  /** Exact GELU: {@code y = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))}. */
  void gelu(int n, float[] x, int xOff, float[] y, int yOff);

  /** Tanh-approximated GELU: {@code y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
  void geluTanh(int n, float[] x, int xOff, float[] y, int yOff);

  // ---------------------------------------------------------------- activations, backward

  /** {@code dx = x > 0 ? dy : 0}, and NaN where x is NaN. */
  void reluBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff);

  /** {@code dx = x > 0 ? dy : alpha * dy}, and NaN where x is NaN. */
  void leakyReluBackward(int n, float alpha, float[] x, int xOff, float[] y, int yOff,
      float[] dy, int dyOff, float[] dx, int dxOff);

  /** {@code dx = x > 0 ? dy : alpha * exp(x) * dy}. */
  void eluBackward(int n, float alpha, float[] x, int xOff, float[] y, int yOff,
      float[] dy, int dyOff, float[] dx, int dxOff);

  /** {@code dx = SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * exp(x)) * dy}. */
  void seluBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff);

  /** {@code dx = y (1 - y) dy}. */
  void sigmoidBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff);

  /** {@code dx = (1 - y^2) dy}. */
  void tanhBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff);

  /** {@code dx = (s + x s (1 - s)) dy} with {@code s = sigmoid(x)}. */
  void swishBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff);

  /** {@code dx = (Phi(x) + x phi(x)) dy}, phi the standard normal density. */
  void geluBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff);

  /** {@code dx = d/dx[geluTanh(x)] dy}, the exact derivative of the tanh formula. */
  void geluTanhBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff);

  // ---------------------------------------------------------------- softmax

  /**
   * Row-wise {@code y = softmax(x * invTemperature)} over a {@code [rows x cols]} matrix;
   * subtracts the row maximum first, so logits like ±1e4 give no NaN. A NaN logit makes its
   * whole row NaN.
   */
  void softmax(int rows, int cols, float invTemperature, float[] x, int xOff, float[] y, int yOff);

  /** {@code dx = invTemperature * y * (dy - rowsum(dy * y))}, row-wise. */
  void softmaxBackward(int rows, int cols, float invTemperature, float[] y, int yOff,
      float[] dy, int dyOff, float[] dx, int dxOff);

  /**
   * Compiles, on the caller's thread, the vector twins of this implementation's small-shape
   * kernels that have run since the JVM started, and switches them on (their results are the
   * scalar twins' bits): until then they stay scalar, unless {@code -Dkiln.vectorWarmUp=background}
   * starts a thread to do so two seconds after their first call. {@code ModelCore.warmUp} calls
   * it. Nothing for scalar kernels. (Not a default method: an interface with one is initialized
   * with its implementing class, and this one's {@code ACTIVE} would then instantiate the vector
   * class while it is still initializing.)
   */
  void compileVectorTwins();

  // ---------------------------------------------------------------- constants

  /** SELU scale (Klambauer et al. 2017), as in PyTorch. */
  float SELU_SCALE = 1.0507009873554805f;

  /** SELU alpha (Klambauer et al. 2017), as in PyTorch. */
  float SELU_ALPHA = 1.6732632423543772f;
}
