package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelTestSupport.filled;
import static dev.kiln.runtime.kernels.KernelTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.runtime.kernels.KernelTestSupport.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * NaN honesty: every element-wise kernel, forward and backward, on both implementations, given
 * NaN at several positions (the first element, inside the vector loop, and in the scalar tail)
 * gives NaN at exactly the positions PyTorch would: for an element-wise function, where its input
 * was NaN; for softmax, the whole row that held a NaN; for sums, each output a NaN was summed
 * into. Everywhere else the result stays a number, so no kernel hides a NaN and none invents one.
 */
class NanPropagationTest {

  static List<Elementwise> implementations() {
    List<Elementwise> list = new ArrayList<>();
    list.add(KernelSelector.scalarElementwise());
    if (KernelSelector.vectorModulePresent()) {
      list.add(KernelSelector.vectorElementwise());
    }
    return list;
  }

  /** Lengths: all tail (3), and 37, which leaves a tail of 5, 5 or 1 for 16, 8 or 4 lanes. */
  private static final int[] LENGTHS = {3, 37};

  /** NaN positions for a length: the first element, some in the vector loop, and in the tail. */
  private static Set<Integer> nanPositions(int n) {
    Set<Integer> positions = new TreeSet<>();
    for (int i : new int[] {0, 5, 16, 31, 33, 36, 1}) {
      if (i < n) {
        positions.add(i);
      }
    }
    if (n == 3) {
      positions.remove(0); // leave a number in front of the NaN: [x, NaN, ...]
    }
    return positions;
  }

  static Stream<Arguments> activationCases() {
    List<Arguments> cases = new ArrayList<>();
    for (Elementwise k : implementations()) {
      for (Activation act : KernelTestSupport.ACTIVATIONS) {
        for (int n : LENGTHS) {
          cases.add(Arguments.of(k.description(), act, n, k));
        }
      }
    }
    return cases.stream();
  }

  /** Inputs in [-3, 3) with exact zeros (the kinks) and NaN at {@link #nanPositions}. */
  private static float[] inputs(Random rnd, int off, int n, Set<Integer> nan) {
    float[] x = random(rnd, off, n, -3f, 3f);
    for (int i = 2; i < n; i += 7) {
      x[off + i] = (i % 2 == 0) ? 0f : -0f;
    }
    for (int i : nan) {
      x[off + i] = Float.NaN;
    }
    return x;
  }

  @ParameterizedTest(name = "{0}: {1} n={2}")
  @MethodSource("activationCases")
  void activationsPropagateNaN(String implementation, Activation act, int n, Elementwise k) {
    Random rnd = new Random(n * 13L + act.name().hashCode());
    Set<Integer> nan = nanPositions(n);
    float[] x = inputs(rnd, 2, n, nan);
    float[] y = filled(4, n, 0f);
    act.forward().apply(k, n, x, 2, y, 4);
    assertNaNExactlyAt(nan, y, 4, n, implementation + " " + act + " forward");

    float[] dy = random(rnd, 1, n, -2f, 2f);
    float[] dx = filled(3, n, 0f);
    act.backward().apply(k, n, x, 2, y, 4, dy, 1, dx, 3);
    assertNaNExactlyAt(nan, dx, 3, n, implementation + " " + act + " backward");
  }

  static Stream<Arguments> implementationCases() {
    return implementations().stream().map(k -> Arguments.of(k.description(), k));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementationCases")
  void softmaxTurnsTheWholeRowNaN(String implementation, Elementwise k) {
    int rows = 4;
    int cols = 37;
    Random rnd = new Random(3);
    float[] x = random(rnd, 1, rows * cols, -5f, 5f);
    x[1 + cols] = Float.NaN;                 // row 1, first column
    x[1 + 3 * cols + cols - 1] = Float.NaN;  // row 3, last column (the vector tail)
    Set<Integer> nan = new TreeSet<>();
    for (int j = 0; j < cols; j++) {
      nan.add(cols + j);
      nan.add(3 * cols + j);
    }
    for (float invT : new float[] {1f, 0.5f}) {
      float[] y = filled(2, rows * cols, 0f);
      k.softmax(rows, cols, invT, x, 1, y, 2);
      assertNaNExactlyAt(nan, y, 2, rows * cols, implementation + " softmax invT=" + invT);

      float[] dy = random(rnd, 0, rows * cols, -1f, 1f);
      float[] dx = filled(5, rows * cols, 0f);
      k.softmaxBackward(rows, cols, invT, y, 2, dy, 0, dx, 5);
      assertNaNExactlyAt(nan, dx, 5, rows * cols, implementation + " softmaxBackward invT=" + invT);
    }

    // A NaN only in the upstream gradient of row 2 makes that row of dx NaN, and no other.
    float[] y = filled(2, rows * cols, 0f);
    float[] finite = random(rnd, 1, rows * cols, -5f, 5f);
    k.softmax(rows, cols, 1f, finite, 1, y, 2);
    float[] dy = random(rnd, 0, rows * cols, -1f, 1f);
    dy[2 * cols + 20] = Float.NaN;
    float[] dx = filled(5, rows * cols, 0f);
    k.softmaxBackward(rows, cols, 1f, y, 2, dy, 0, dx, 5);
    Set<Integer> row2 = new TreeSet<>();
    for (int j = 0; j < cols; j++) {
      row2.add(2 * cols + j);
    }
    assertNaNExactlyAt(row2, dx, 5, rows * cols, implementation + " softmaxBackward, NaN in dy");
  }

  /** Rows narrower than a vector, exponentiated as one block (Iris's 120 x 3): still row by row. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("implementationCases")
  void aNarrowSoftmaxTurnsOnlyTheNaNsRowNaN(String implementation, Elementwise k) {
    int rows = 40;
    int cols = 3;
    float[] x = random(new Random(5), 1, rows * cols, -5f, 5f);
    x[1 + 7 * cols + 2] = Float.NaN; // row 7, inside the vector block
    x[1 + 39 * cols] = Float.NaN;    // row 39: its first value is in the block, the rest in the tail
    Set<Integer> nan = new TreeSet<>();
    for (int j = 0; j < cols; j++) {
      nan.add(7 * cols + j);
      nan.add(39 * cols + j);
    }
    float[] y = filled(2, rows * cols, 0f);
    k.softmax(rows, cols, 1f, x, 1, y, 2);
    assertNaNExactlyAt(nan, y, 2, rows * cols, implementation + " narrow softmax");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementationCases")
  void sumsAndCopiesCarryNaNWhereItWasSummedOrCopied(String implementation, Elementwise k) {
    int n = 37;
    Random rnd = new Random(9);
    Set<Integer> nan = nanPositions(n);
    float[] a = inputs(rnd, 3, n, nan);
    float[] b = random(rnd, 0, n, -1f, 1f);
    b[20] = Float.NaN;
    Set<Integer> either = new TreeSet<>(nan);
    either.add(20);

    float[] c = filled(1, n, 0f);
    k.add(n, a, 3, b, 0, c, 1);
    assertNaNExactlyAt(either, c, 1, n, implementation + " add");

    float[] acc = random(rnd, 2, n, -1f, 1f);
    k.accumulate(n, b, 0, acc, 2);
    assertNaNExactlyAt(Set.of(20), acc, 2, n, implementation + " accumulate");

    // [rows x cols] = [3 x 37]: NaN in x at row 1, columns nan; in v at column 20.
    int rows = 3;
    float[] x = random(rnd, 4, rows * n, -1f, 1f);
    for (int j : nan) {
      x[4 + n + j] = Float.NaN;
    }
    float[] v = b.clone();
    k.addRowVector(rows, n, v, 0, x, 4);
    Set<Integer> expected = new TreeSet<>();
    for (int j : nan) {
      expected.add(n + j);
    }
    for (int r = 0; r < rows; r++) {
      expected.add(r * n + 20);
    }
    assertNaNExactlyAt(expected, x, 4, rows * n, implementation + " addRowVector");

    for (boolean accumulate : new boolean[] {false, true}) {
      float[] sums = random(rnd, 6, n, -1f, 1f);
      k.sumColumns(rows, n, x, 4, sums, 6, accumulate);
      assertNaNExactlyAt(either, sums, 6, n, implementation + " sumColumns acc=" + accumulate);
    }

    // copy row 1 of x (stride n) into the middle of a wider row (stride n + 10), and back
    float[] wide = filled(0, 2 * (n + 10), 0f);
    k.copyBlock(2, n, x, 4, n, wide, 5, n + 10);
    Set<Integer> copied = new TreeSet<>();
    copied.add(5 + 20);
    for (int j : nan) {
      copied.add(5 + (n + 10) + j);
    }
    copied.add(5 + (n + 10) + 20);
    assertNaNExactlyAt(copied, wide, 0, 2 * (n + 10), implementation + " copyBlock");
  }

  /** Fails unless element i of the n at {@code off} is NaN exactly when i is in {@code expected}. */
  private static void assertNaNExactlyAt(Set<Integer> expected, float[] actual, int off, int n,
      String what) {
    Set<Integer> found = new TreeSet<>();
    for (int i = 0; i < n; i++) {
      if (Float.isNaN(actual[off + i])) {
        found.add(i);
      }
    }
    assertEquals(expected, found, what + ": positions of NaN");
  }
}
