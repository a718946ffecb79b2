package dev.kiln.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Optimizer#stepIfFinite}: with finite results it is {@link Optimizer#step} bit for bit; when
 * one value it would write (a parameter or a state value) is not finite, it writes nothing and does
 * not count the iteration, so later steps continue exactly as if the refused step had never been
 * asked for (checked against a twin that never saw it, which covers the hidden state: velocities,
 * Adam's moments and its bias correction's t).
 */
class StepIfFiniteTest {
  private static final int SIZE = 7;

  static List<IntFunction<Optimizer>> optimizers() {
    return List.of(
        size -> Optimizers.sgd(size, 0.1f),
        size -> Optimizers.momentum(size, 0.1f, 0.9f),
        size -> Optimizers.nesterov(size, 0.1f, 0.9f),
        size -> Optimizers.adaGrad(size, 0.1f, 1e-7f),
        size -> Optimizers.rmsProp(size, 0.1f, 0.9f, 1e-7f),
        size -> Optimizers.adam(size, 0.1f, 0.9f, 0.999f, 1e-7f),
        size -> Optimizers.adamW(size, 0.1f, 0.9f, 0.999f, 1e-7f, 0.01f));
  }

  @ParameterizedTest
  @MethodSource("optimizers")
  void withFiniteResultsItIsStepBitForBit(IntFunction<Optimizer> create) {
    Optimizer checked = create.apply(SIZE);
    Optimizer plain = create.apply(SIZE);
    float[] a = random(1, 1f);
    float[] b = a.clone();
    int[] ranges = {0, 2, 4, 7};
    for (int s = 0; s < 5; s++) {
      float[] g = random(10 + s, 0.5f);
      if (s % 2 == 0) {
        assertTrue(checked.stepIfFinite(a, g, 0, SIZE));
        plain.step(b, g, 0, SIZE);
      } else {
        assertTrue(checked.stepIfFinite(a, g, ranges, 2));
        plain.step(b, g, ranges, 2);
      }
      assertArrayEquals(b, a);
    }
    assertEquals(5, checked.iterations());
  }

  @ParameterizedTest
  @MethodSource("optimizers")
  void aStepThatWouldOverflowChangesNothingAndTrainingContinuesAsIfItNeverHappened(IntFunction<Optimizer> create) {
    Optimizer refused = create.apply(SIZE);
    Optimizer twin = create.apply(SIZE);
    float[] a = random(1, 1f);
    float[] b = a.clone();
    float[] g1 = random(2, 0.5f);
    refused.step(a, g1, 0, SIZE);
    twin.step(b, g1, 0, SIZE);

    // One gradient of 3e38 at rate 10: every optimizer would write an infinity somewhere (the
    // parameter for SGD and Nesterov, lr * g in the velocity for momentum, g^2 in the squared
    // averages of AdaGrad, RMSProp and Adam).
    float[] huge = random(3, 0.5f);
    huge[4] = 3e38f;
    float[] before = a.clone();
    refused.setLearningRate(10f);
    assertFalse(refused.stepIfFinite(a, huge, 0, SIZE));
    assertFalse(refused.stepIfFinite(a, huge, new int[] {0, 2, 3, 7}, 2));
    assertArrayEquals(before, a);
    assertEquals(1, refused.iterations());

    refused.setLearningRate(0.1f);
    for (int s = 0; s < 3; s++) {
      float[] g = random(20 + s, 0.5f);
      assertTrue(refused.stepIfFinite(a, g, 0, SIZE));
      twin.step(b, g, 0, SIZE);
    }
    assertArrayEquals(b, a);
    assertEquals(twin.iterations(), refused.iterations());
  }

  @ParameterizedTest
  @MethodSource("optimizers")
  void aNaNGradientIsRefusedToo(IntFunction<Optimizer> create) {
    Optimizer optimizer = create.apply(SIZE);
    float[] a = random(1, 1f);
    float[] before = a.clone();
    float[] g = random(2, 0.5f);
    g[6] = Float.NaN;
    assertFalse(optimizer.stepIfFinite(a, g, 0, SIZE));
    assertArrayEquals(before, a);
    assertEquals(0, optimizer.iterations());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void adamStepsTheBoundsCannotProveFiniteAreCheckedExactly(boolean decoupledDecay) {
    // At rate 1e32 the bound |w'| <= |w| + stepSize |m'| / epsilon is ~1e38 and proves nothing,
    // yet the step itself is finite (|update| ~ rate): it must be taken, equal to step().
    IntFunction<Optimizer> create = size -> decoupledDecay
        ? Optimizers.adamW(size, 1e32f, 0.9f, 0.999f, 1e-7f, 0f)
        : Optimizers.adam(size, 1e32f, 0.9f, 0.999f, 1e-7f);
    Optimizer checked = create.apply(SIZE);
    Optimizer plain = create.apply(SIZE);
    float[] a = random(1, 1f);
    float[] b = a.clone();
    float[] g = random(2, 0.5f);
    assertTrue(checked.stepIfFinite(a, g, 0, SIZE));
    plain.step(b, g, 0, SIZE);
    assertArrayEquals(b, a);
    assertTrue(Math.abs(a[0]) > 1e30f, "the step really was of the order of the rate: " + a[0]);

    // Both ranges take the exact path; the first is applied in place, the second would overflow
    // the second moment, so the first must be undone from its saved copy.
    float[] before = a.clone();
    float[] huge = random(3, 0.5f);
    huge[5] = 3e38f;
    assertFalse(checked.stepIfFinite(a, huge, new int[] {0, 3, 3, 7}, 2));
    assertArrayEquals(before, a);
    assertEquals(1, checked.iterations());
    for (int s = 0; s < 2; s++) {
      float[] next = random(30 + s, 0.5f);
      assertTrue(checked.stepIfFinite(a, next, 0, SIZE));
      plain.step(b, next, 0, SIZE);
    }
    assertArrayEquals(b, a);
  }

  @Test
  void adamChecksStateWrittenThroughTheStateMap() {
    // A checkpoint load writes the moments through state(); a checked step must see what was
    // written there (no bound or flag cached from earlier steps may vouch for it).
    float[] a = random(1, 1f);
    Optimizer adam = adamAfterThreeCheckedSteps(a);
    adam.state().get("m")[3] = Float.NaN;
    float[] before = a.clone();
    assertFalse(adam.stepIfFinite(a, random(30, 0.5f), 0, SIZE));
    assertArrayEquals(before, a);
    assertTrue(Float.isNaN(adam.state().get("m")[3]));
  }

  @Test
  void adamSeesMomentsAnUncheckedStepWrote() {
    // Checked steps carry bounds on the moments from proof to proof; a plain step() writes them
    // unproven. Here it drives one second moment to infinity (g^2 overflows) while the parameters
    // stay finite, so only the moments can tell the next checked step to refuse.
    float[] a = random(1, 1f);
    Optimizer adam = adamAfterThreeCheckedSteps(a);
    float[] huge = random(20, 0.5f);
    huge[2] = 3e37f;
    adam.setIterations(2); // the step below is then numbered as the last checked one was
    adam.step(a, huge, 0, SIZE);
    float[] before = a.clone();
    adam.setIterations(3);
    assertFalse(adam.stepIfFinite(a, random(30, 0.5f), 0, SIZE));
    assertArrayEquals(before, a);
    assertEquals(Float.POSITIVE_INFINITY, adam.state().get("v")[2]); // read last: state() resets the bounds
  }

  @Test
  void adamSeesMomentsWrittenUnderAnotherSplitOfTheRanges() {
    // Bounds are kept per range: a range stepped as part of another split must not keep a bound
    // from before (here [0, 7) is proven, then [0, 3) is stepped unchecked into overflow).
    Optimizer adam = Optimizers.adam(SIZE, 0.1f, 0.9f, 0.999f, 1e-7f);
    float[] a = random(1, 1f);
    assertTrue(adam.stepIfFinite(a, random(10, 0.5f), 0, SIZE));
    assertTrue(adam.stepIfFinite(a, random(11, 0.5f), new int[] {0, 3, 3, 7}, 2));
    assertTrue(adam.stepIfFinite(a, random(12, 0.5f), 0, SIZE));
    float[] huge = random(20, 0.5f);
    huge[1] = 3e37f;
    adam.step(a, huge, new int[] {0, 3}, 1);
    float[] before = a.clone();
    assertFalse(adam.stepIfFinite(a, random(30, 0.5f), 0, SIZE));
    assertArrayEquals(before, a);
    assertTrue(adam.stepIfFinite(a, random(31, 0.5f), new int[] {3, 7}, 1), "the other range is still finite");
  }

  @Test
  void adamOnSeveralThreadsIsBitIdenticalToOneThread() {
    // Long ranges update in parts on the worker pool (ParallelRanges); element-wise, so any split
    // gives the same values.
    int size = 150_001;
    int before = dev.kiln.runtime.kernels.Parallelism.threads();
    try {
      float[][] results = new float[4][];
      for (int threads = 1; threads <= 4; threads++) {
        dev.kiln.runtime.kernels.Parallelism.setThreads(threads);
        Optimizer adam = Optimizers.adamW(size, 1e-3f, 0.9f, 0.999f, 1e-7f, 0.01f);
        SplittableRandom random = new SplittableRandom(5);
        float[] params = new float[size];
        for (int i = 0; i < size; i++) {
          params[i] = (float) random.nextGaussian();
        }
        for (int s = 0; s < 3; s++) {
          float[] g = new float[size];
          for (int i = 0; i < size; i++) {
            g[i] = (float) random.nextGaussian();
          }
          assertTrue(adam.stepIfFinite(params, g, new int[] {0, 70_000, 70_000, size}, 2));
          adam.step(params, g, 0, size);
        }
        results[threads - 1] = params;
      }
      for (int t = 1; t < 4; t++) {
        assertArrayEquals(results[0], results[t], (t + 1) + " threads");
      }
    } finally {
      dev.kiln.runtime.kernels.Parallelism.setThreads(before);
    }
  }

  @Test
  void adamOnSeveralThreadsRefusesAnOverflowInAnyPart() {
    // The proof sums gradients and parameters in parts on the worker pool: a gradient whose square
    // overflows, in the part a worker sums, must still fail it and leave every value unwritten.
    int size = 150_001;
    int before = dev.kiln.runtime.kernels.Parallelism.threads();
    try {
      for (int threads = 1; threads <= 4; threads++) {
        dev.kiln.runtime.kernels.Parallelism.setThreads(threads);
        Optimizer adam = Optimizers.adam(size, 1e-3f, 0.9f, 0.999f, 1e-7f);
        SplittableRandom random = new SplittableRandom(6);
        float[] params = new float[size];
        float[] g = new float[size];
        for (int i = 0; i < size; i++) {
          params[i] = (float) random.nextGaussian();
          g[i] = (float) random.nextGaussian();
        }
        assertTrue(adam.stepIfFinite(params, g, 0, size));
        for (int overflowAt : new int[] {size - 1, 140_000, 75_000}) {
          float[] before1 = params.clone();
          float[] huge = g.clone();
          huge[overflowAt] = 1e30f; // g^2 overflows: v and the parameter turn infinite
          assertFalse(adam.stepIfFinite(params, huge, 0, size), threads + " threads, overflow at " + overflowAt);
          assertArrayEquals(before1, params, threads + " threads: a refused step writes nothing");
        }
      }
    } finally {
      dev.kiln.runtime.kernels.Parallelism.setThreads(before);
    }
  }

  /** Adam after three checked, finite steps on {@code a}: its moment bounds carried from proof to proof. */
  private static Optimizer adamAfterThreeCheckedSteps(float[] a) {
    Optimizer adam = Optimizers.adam(SIZE, 0.1f, 0.9f, 0.999f, 1e-7f);
    for (int s = 0; s < 3; s++) {
      assertTrue(adam.stepIfFinite(a, random(10 + s, 0.5f), 0, SIZE));
    }
    return adam;
  }

  private static float[] random(long seed, float scale) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] v = new float[SIZE];
    for (int i = 0; i < SIZE; i++) {
      v[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
    }
    return v;
  }
}
