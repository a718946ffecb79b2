package dev.kiln.runtime.kernels;

/**
 * Splits large matrix products across a {@link WorkerPool}, on top of any single-threaded
 * {@link Kernels}. Products are split by rows of C, at multiples of 8 rows, so each output element
 * is computed by exactly the operations the single-threaded kernel would use: results are
 * bit-identical for every thread count. Small products, batch-1 work and all element-wise kernels
 * stay on the caller's thread, where a hand-off would cost more than it saves.
 */
final class ThreadedKernels implements Kernels {
  /** Products below this many floating-point operations run on the caller's thread (~20-40 us). */
  static final long MIN_PARALLEL_FLOPS = 4_000_000;
  /** Split points are multiples of this many rows (the vector micro-kernel's row count). */
  static final int ROW_ALIGNMENT = 8;

  private final Kernels delegate;
  private final WorkerPool pool;
  private final GemmTask task;

  ThreadedKernels(Kernels delegate, WorkerPool pool) {
    this.delegate = delegate;
    this.pool = pool;
    this.task = new GemmTask(pool.workerCount() + 1);
  }

  /** The single-threaded kernels this splits work for. */
  Kernels delegate() {
    return delegate;
  }

  // ---------------------------------------------------------------- products, split by rows of C

  @Override
  public void gemm(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
      boolean accumulate) {
    if (!split(GemmTask.PLAIN, m, n, k, a, aOff, b, bOff, c, cOff, accumulate)) {
      delegate.gemm(m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }
  }

  @Override
  public void gemmTransA(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
      boolean accumulate) {
    if (!split(GemmTask.TRANS_A, m, n, k, a, aOff, b, bOff, c, cOff, accumulate)) {
      delegate.gemmTransA(m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }
  }

  @Override
  public void gemmTransB(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
      boolean accumulate) {
    if (!split(GemmTask.TRANS_B, m, n, k, a, aOff, b, bOff, c, cOff, accumulate)) {
      delegate.gemmTransB(m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }
  }

  /** Runs the product in parts when it is large enough and the pool is free; false otherwise. */
  private boolean split(int kind, int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c,
      int cOff, boolean accumulate) {
    int parts = Math.min(Parallelism.threads(), pool.workerCount() + 1);
    parts = Math.min(parts, m / (2 * ROW_ALIGNMENT));
    if (parts < 2 || 2L * m * n * k < MIN_PARALLEL_FLOPS) {
      return false;
    }
    task.set(delegate, kind, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    return pool.tryRun(task, parts);
  }

  /** First row of part {@code part} of {@code parts}: aligned, the last part taking the rest. */
  static int rowStart(int m, int part, int parts) {
    if (part >= parts) {
      return m;
    }
    int rowsPerPart = (m / parts + ROW_ALIGNMENT - 1) / ROW_ALIGNMENT * ROW_ALIGNMENT;
    return Math.min(m, part * rowsPerPart);
  }

  /** One product's arguments, reused for every call (the pool runs one call at a time). */
  private static final class GemmTask implements WorkerPool.Task {
    static final int PLAIN = 0;
    static final int TRANS_A = 1;
    static final int TRANS_B = 2;

    private Kernels kernels;
    private int kind;
    private int m;
    private int n;
    private int k;
    private float[] a;
    private int aOff;
    private float[] b;
    private int bOff;
    private float[] c;
    private int cOff;
    private boolean accumulate;
    /** Per part: the columns of a transposed A that the part needs, made contiguous. */
    private final float[][] columns;

    GemmTask(int maxParts) {
      columns = new float[maxParts][];
    }

    void set(Kernels kernels, int kind, int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c,
        int cOff, boolean accumulate) {
      this.kernels = kernels;
      this.kind = kind;
      this.m = m;
      this.n = n;
      this.k = k;
      this.a = a;
      this.aOff = aOff;
      this.b = b;
      this.bOff = bOff;
      this.c = c;
      this.cOff = cOff;
      this.accumulate = accumulate;
    }

    @Override
    public void run(int part, int parts) {
      int from = rowStart(m, part, parts);
      int to = rowStart(m, part + 1, parts);
      int rows = to - from;
      if (rows <= 0) {
        return;
      }
      int cStart = cOff + from * n;
      switch (kind) {
        case PLAIN:
          kernels.gemm(rows, n, k, a, aOff + from * k, b, bOff, c, cStart, accumulate);
          break;
        case TRANS_B:
          kernels.gemmTransB(rows, n, k, a, aOff + from * k, b, bOff, c, cStart, accumulate);
          break;
        case TRANS_A:
          // A is stored [k x m]: copy columns from..to into a contiguous [k x rows] block.
          float[] slice = columns[part];
          if (slice == null || slice.length < k * rows) {
            slice = new float[k * rows];
            columns[part] = slice;
          }
          for (int p = 0; p < k; p++) {
            System.arraycopy(a, aOff + p * m + from, slice, p * rows, rows);
          }
          kernels.gemmTransA(rows, n, k, slice, 0, b, bOff, c, cStart, accumulate);
          break;
        default:
          throw new IllegalStateException("unknown product kind " + kind);
      }
    }
  }

  // ---------------------------------------------------------------- everything else: the caller's thread

  @Override
  public String description() {
    return delegate.description(); // the SIMD implementation; thread counts are Parallelism's
  }

  @Override
  public void addRowVector(int rows, int cols, float[] v, int vOff, float[] x, int xOff) {
    delegate.addRowVector(rows, cols, v, vOff, x, xOff);
  }

  @Override
  public void sumColumns(int rows, int cols, float[] x, int xOff, float[] out, int outOff, boolean accumulate) {
    delegate.sumColumns(rows, cols, x, xOff, out, outOff, accumulate);
  }

  @Override
  public void relu(int n, float[] x, int xOff, float[] y, int yOff) {
    delegate.relu(n, x, xOff, y, yOff);
  }

  @Override
  public void leakyRelu(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    delegate.leakyRelu(n, alpha, x, xOff, y, yOff);
  }

  @Override
  public void elu(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    delegate.elu(n, alpha, x, xOff, y, yOff);
  }

  @Override
  public void selu(int n, float[] x, int xOff, float[] y, int yOff) {
    delegate.selu(n, x, xOff, y, yOff);
  }

  @Override
  public void sigmoid(int n, float[] x, int xOff, float[] y, int yOff) {
    delegate.sigmoid(n, x, xOff, y, yOff);
  }

  @Override
  public void tanh(int n, float[] x, int xOff, float[] y, int yOff) {
    delegate.tanh(n, x, xOff, y, yOff);
  }

  @Override
  public void swish(int n, float[] x, int xOff, float[] y, int yOff) {
    delegate.swish(n, x, xOff, y, yOff);
  }

  @Override
  public void gelu(int n, float[] x, int xOff, float[] y, int yOff) {
    delegate.gelu(n, x, xOff, y, yOff);
  }

  @Override
  public void geluTanh(int n, float[] x, int xOff, float[] y, int yOff) {
    delegate.geluTanh(n, x, xOff, y, yOff);
  }

  @Override
  public void reluBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
    delegate.reluBackward(n, x, xOff, y, yOff, dy, dyOff, dx, dxOff);
  }

  @Override
  public void leakyReluBackward(int n, float alpha, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
    delegate.leakyReluBackward(n, alpha, x, xOff, y, yOff, dy, dyOff, dx, dxOff);
  }

  @Override
  public void eluBackward(int n, float alpha, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
    delegate.eluBackward(n, alpha, x, xOff, y, yOff, dy, dyOff, dx, dxOff);
  }

  @Override
  public void seluBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
    delegate.seluBackward(n, x, xOff, y, yOff, dy, dyOff, dx, dxOff);
  }

  @Override
  public void sigmoidBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
    delegate.sigmoidBackward(n, x, xOff, y, yOff, dy, dyOff, dx, dxOff);
  }

  @Override
  public void tanhBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
    delegate.tanhBackward(n, x, xOff, y, yOff, dy, dyOff, dx, dxOff);
  }

  @Override
  public void swishBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
    delegate.swishBackward(n, x, xOff, y, yOff, dy, dyOff, dx, dxOff);
  }

  @Override
  public void geluBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
    delegate.geluBackward(n, x, xOff, y, yOff, dy, dyOff, dx, dxOff);
  }

  @Override
  public void geluTanhBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
    delegate.geluTanhBackward(n, x, xOff, y, yOff, dy, dyOff, dx, dxOff);
  }

  @Override
  public void softmax(int rows, int cols, float invTemperature, float[] x, int xOff, float[] y, int yOff) {
    delegate.softmax(rows, cols, invTemperature, x, xOff, y, yOff);
  }

  @Override
  public void softmaxBackward(int rows, int cols, float invTemperature, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
    delegate.softmaxBackward(rows, cols, invTemperature, y, yOff, dy, dyOff, dx, dxOff);
  }
}
