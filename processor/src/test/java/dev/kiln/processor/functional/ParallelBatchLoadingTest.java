package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.data.Dataset;
import dev.kiln.runtime.kernels.Parallelism;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A batch of a dataset that allows concurrent copies loads on the worker threads too, to the same
 * parameters bit for bit; a dataset that does not is only ever read on the training thread, and a
 * bad sample is reported as the first bad one of its batch whichever thread found it.
 */
class ParallelBatchLoadingTest {
  private static final int SAMPLES = 256;
  private static final FitOptions OPTIONS = FitOptions.epochs(1).withBatchSize(64).withShuffle(3).withVerbose(false);

  private final int threadsBefore = Parallelism.threads();

  @AfterEach
  void restore() {
    Parallelism.setThreads(threadsBefore);
  }

  /** The arrays behind a dataset of the user's own that records which threads copied from it. */
  private static final class RecordingDataset implements Dataset {
    final float[][] x;
    final float[][] y;
    final boolean concurrent;
    final Set<Thread> copyingThreads = ConcurrentHashMap.newKeySet();
    /** Samples whose targets cannot be read: copyTarget throws, as a failed fetch would. */
    final Set<Integer> bad = ConcurrentHashMap.newKeySet();

    RecordingDataset(float[][] x, float[][] y, boolean concurrent) {
      this.x = x;
      this.y = y;
      this.concurrent = concurrent;
    }

    @Override
    public int size() {
      return x.length;
    }

    @Override
    public int inputSize(int input) {
      return x[0].length;
    }

    @Override
    public int targetSize() {
      return y[0].length;
    }

    /** "p" + sample for each prefetch, "c" + sample for each input copy, on one thread's runs. */
    final java.util.List<String> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    @Override
    public void prefetch(int sample) {
      events.add("p" + sample);
    }

    @Override
    public void copyInput(int input, int sample, float[] dest, int offset) {
      events.add("c" + sample);
      copyingThreads.add(Thread.currentThread());
      System.arraycopy(x[sample], 0, dest, offset, x[sample].length);
    }

    @Override
    public void copyTarget(int sample, float[] dest, int offset) {
      if (bad.contains(sample)) {
        throw new IllegalArgumentException("target " + sample + " is not in the source");
      }
      System.arraycopy(y[sample], 0, dest, offset, y[sample].length);
    }

    @Override
    public boolean concurrentCopies() {
      return concurrent;
    }
  }

  private static float[][][] data() {
    SplittableRandom random = new SplittableRandom(8);
    float[][] x = new float[SAMPLES][256];
    float[][] y = new float[SAMPLES][10];
    for (int i = 0; i < SAMPLES; i++) {
      for (int j = 0; j < 256; j++) {
        x[i][j] = (float) random.nextDouble();
      }
      y[i][random.nextInt(10)] = 1;
    }
    return new float[][][] {x, y};
  }

  private static float[] train(Dataset data) {
    ThreadCountDeterminismTest_WideMlpModel model = new ThreadCountDeterminismTest_WideMlpModel(3, 64);
    model.fit(data, OPTIONS);
    return model.core().parameters();
  }

  @Test
  void batchesLoadOnTheWorkersToTheSameParameters() {
    float[][][] data = data();
    Parallelism.setThreads(1);
    RecordingDataset serial = new RecordingDataset(data[0], data[1], true);
    float[] reference = train(serial);
    assertEquals(Set.of(Thread.currentThread()), serial.copyingThreads);

    Parallelism.setThreads(2);
    RecordingDataset concurrent = new RecordingDataset(data[0], data[1], true);
    assertArrayEquals(reference, train(concurrent));
    assertTrue(concurrent.copyingThreads.contains(Thread.currentThread()));
    assertTrue(concurrent.copyingThreads.size() >= 2, "a worker copied rows too: " + concurrent.copyingThreads);
    assertArrayEquals(reference, train(Dataset.of(data[0], data[1])), "arrays allow concurrent copies");
  }

  /** Every sample of a batch is announced before any is copied, so their first misses overlap. */
  @Test
  void aBatchPrefetchesEverySampleBeforeCopyingAny() {
    float[][][] data = data();
    Parallelism.setThreads(1);
    RecordingDataset recording = new RecordingDataset(data[0], data[1], true);
    train(recording);
    java.util.List<String> events = recording.events;
    assertEquals(2 * SAMPLES, events.size(), "one prefetch and one copy per sample");
    for (int batch = 0; batch < SAMPLES / 64; batch++) {
      java.util.List<String> prefetched = new java.util.ArrayList<>();
      java.util.List<String> copied = new java.util.ArrayList<>();
      for (String event : events.subList(batch * 128, batch * 128 + 64)) {
        assertTrue(event.startsWith("p"), "batch " + batch + " copied before announcing all: " + event);
        prefetched.add(event.substring(1));
      }
      for (String event : events.subList(batch * 128 + 64, batch * 128 + 128)) {
        assertTrue(event.startsWith("c"), "batch " + batch + ": " + event);
        copied.add(event.substring(1));
      }
      assertEquals(prefetched, copied, "batch " + batch + " copies the samples it announced, in order");
    }
  }

  /** Rows of a few values are a cache line each: not worth the calls (Iris: 4 inputs, 3 targets). */
  @Test
  void smallSamplesAreNotAnnounced() {
    float[][] x = new float[32][4];
    float[][] y = new float[32][3];
    for (int i = 0; i < 32; i++) {
      x[i][i % 4] = 1;
      y[i][i % 3] = 1;
    }
    RecordingDataset recording = new RecordingDataset(x, y, true);
    new FixtureNetworks_NetIrisModel(1, 16).fit(recording, OPTIONS.withBatchSize(16));
    assertEquals(32, recording.events.size());
    assertTrue(recording.events.stream().allMatch(event -> event.startsWith("c")), "copies only");
  }

  /**
   * An evaluation splits by whole batches over the workers only for a dataset that allows
   * concurrent copies, and gives one thread's figures either way.
   */
  @Test
  void evaluationReadsOnTheWorkersOnlyWhenTheDatasetAllowsIt() {
    float[][][] data = data();
    ThreadCountDeterminismTest_WideMlpModel model = new ThreadCountDeterminismTest_WideMlpModel(3, 64);
    Parallelism.setThreads(1);
    dev.kiln.runtime.Evaluation reference = model.evaluate(Dataset.of(data[0], data[1]));
    Parallelism.setThreads(2);
    RecordingDataset own = new RecordingDataset(data[0], data[1], false);
    assertEquals(reference, model.evaluate(own));
    assertEquals(Set.of(Thread.currentThread()), own.copyingThreads);
    RecordingDataset concurrent = new RecordingDataset(data[0], data[1], true);
    assertEquals(reference, model.evaluate(concurrent));
    assertTrue(concurrent.copyingThreads.size() >= 2, "a worker evaluated batches too: " + concurrent.copyingThreads);
  }

  /** A range view announces its samples under the source's indices, and nothing out of range. */
  @Test
  void aRangeViewPrefetchesTheSourcesSamples() {
    float[][][] data = data();
    RecordingDataset source = new RecordingDataset(data[0], data[1], true);
    Dataset range = source.range(5, 10).withSampleWeights(new float[] {1, 1, 1, 1, 1});
    range.prefetch(0);
    range.prefetch(4);
    range.prefetch(5);
    range.prefetch(-1);
    assertEquals(java.util.List.of("p5", "p9"), source.events);
    Dataset.of(data[0], data[1]).range(0, 3).prefetch(7); // a hint: out of range is no error
  }

  @Test
  void aDatasetOfTheUsersOwnIsReadOnTheTrainingThreadOnly() {
    float[][][] data = data();
    Parallelism.setThreads(2);
    RecordingDataset own = new RecordingDataset(data[0], data[1], false);
    train(own);
    assertEquals(Set.of(Thread.currentThread()), own.copyingThreads);
    assertFalse(new Dataset() {
      @Override
      public int size() {
        return 0;
      }

      @Override
      public int inputSize(int input) {
        return 1;
      }

      @Override
      public int targetSize() {
        return 1;
      }

      @Override
      public void copyInput(int input, int sample, float[] dest, int offset) {}

      @Override
      public void copyTarget(int sample, float[] dest, int offset) {}
    }.concurrentCopies(), "false unless overridden");
    Dataset arrays = Dataset.of(data[0], data[1]);
    assertTrue(arrays.range(0, 10).withSampleWeights(new float[10]).concurrentCopies(), "views keep the source's answer");
  }

  @Test
  void theFirstBadSampleOfABatchIsNamedWhicheverThreadLoadedIt() {
    float[][][] data = data();
    // Batch 0, unshuffled, is samples 0-63: at two threads rows 32-63 load on the worker.
    for (int[] bad : new int[][] {{50, 40}, {40, 20, 50}}) {
      int first = java.util.Arrays.stream(bad).min().getAsInt();
      for (int threads = 1; threads <= 2; threads++) {
        Parallelism.setThreads(threads);
        RecordingDataset dataset = new RecordingDataset(data[0], data[1], true);
        for (int sample : bad) {
          dataset.bad.add(sample);
        }
        ThreadCountDeterminismTest_WideMlpModel model = new ThreadCountDeterminismTest_WideMlpModel(3, 64);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> model.fit(dataset, FitOptions.epochs(1).withBatchSize(64).withoutShuffle().withVerbose(false)));
        assertEquals("target " + first + " is not in the source", e.getMessage(), threads + " threads");
      }
    }
  }
}
