package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.Inference;
import dev.kiln.runtime.Model;
import dev.kiln.runtime.ModelCore;
import dev.kiln.runtime.RecurrentState;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Running a recurrent network one time step at a time ({@code ModelCore.step}) against the
 * whole-sequence forward pass of the same model: at every step the output equals the whole pass's
 * output at that position (the last step's, for networks that return it), within 1e-6.
 */
class StepTest {
  private static final double TOLERANCE = 1e-6;

  /** Parameters drawn uniformly from [-0.6, 0.6): far from any initializer's special values. */
  private static void randomParameters(Model model, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] p = new float[model.core().info().parameterCount()];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) (random.nextDouble() * 1.2 - 0.6);
    }
    model.core().setParameters(p);
  }

  private static float[] randomSequence(int values, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[values];
    for (int i = 0; i < values; i++) {
      x[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return x;
  }

  private static float[] tokens(int steps, int vocabulary, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[steps];
    for (int i = 0; i < steps; i++) {
      x[i] = random.nextInt(vocabulary);
    }
    return x;
  }

  /** Steps through {@code x} from a new state; returns every step's output, concatenated. */
  private static float[] stepThrough(ModelCore core, RecurrentState state, float[] x, int steps) {
    int in = core.stepInputSize();
    int out = core.stepOutputSize();
    assertEquals(steps * in, x.length);
    float[] outputs = new float[steps * out];
    float[] input = new float[in];
    float[] output = new float[out];
    for (int t = 0; t < steps; t++) {
      System.arraycopy(x, t * in, input, 0, in);
      core.step(state, input, output);
      System.arraycopy(output, 0, outputs, t * out, out);
    }
    return outputs;
  }

  /** Every step's output equals the whole pass's output at that step. */
  private static void assertStepsEqualSequence(Model model, float[] x, int steps) {
    float[] whole = model.predict(x);
    float[] stepped = stepThrough(model.core(), model.core().newState(), x, steps);
    assertEquals(whole.length, stepped.length);
    assertArrayEquals(whole, stepped, (float) TOLERANCE);
  }

  /** The output after the last step equals the whole pass's output. */
  private static void assertLastStepEqualsSequence(Model model, float[] x, int steps) {
    float[] whole = model.predict(x);
    float[] stepped = stepThrough(model.core(), model.core().newState(), x, steps);
    int out = model.core().stepOutputSize();
    assertEquals(whole.length, out);
    float[] last = java.util.Arrays.copyOfRange(stepped, (steps - 1) * out, steps * out);
    assertArrayEquals(whole, last, (float) TOLERANCE);
  }

  @Test
  void lstmGruAndSimpleRnnStepsEqualTheWholeSequenceAtEveryStep() {
    Model lstm = new RecurrentFixtureNetworks_NetLstmSeqModel(1, 4);
    Model gru = new RecurrentFixtureNetworks_NetGruSeqModel(1, 4); // with a Dense at every step
    Model rnn = new RecurrentFixtureNetworks_NetRnnSeqModel(1, 4);
    for (Model model : List.of(lstm, gru, rnn)) {
      randomParameters(model, 11);
      assertEquals(3, model.core().stepInputSize());
      assertStepsEqualSequence(model, randomSequence(15, 12), 5);
    }
    assertEquals(7, lstm.core().stepOutputSize());
    assertEquals(2, gru.core().stepOutputSize());
    assertEquals(4, rnn.core().stepOutputSize());
  }

  @Test
  void stackedLayersCarryOneStateEach() {
    StepNetworks_StackedModel model = new StepNetworks_StackedModel(1);
    randomParameters(model, 21);
    // GRU hidden 5, SimpleRNN hidden 4, LSTM hidden 3 and cell 3
    assertEquals(15, model.core().newState().toArray().length);
    assertStepsEqualSequence(model, randomSequence(24, 22), 6);
  }

  @Test
  void mergesAndNormalizationsActOnEachStep() {
    StepNetworks_MergedBranchesModel model = new StepNetworks_MergedBranchesModel(1);
    // Trained a few steps on seeded data, so batch norm's moving statistics are not their start values.
    float[][] x = new float[8][];
    float[][] y = new float[8][];
    for (int i = 0; i < 8; i++) {
      x[i] = randomSequence(15, 120 + i);
      y[i] = randomSequence(10, 130 + i);
    }
    for (int i = 0; i < 5; i++) {
      model.trainOnBatch(x, y);
    }
    assertStepsEqualSequence(model, randomSequence(15, 140), 5);
  }

  @Test
  void embeddingLstmDenseStepsOnOneTokenId() {
    StepNetworks_CharLstmModel model = new StepNetworks_CharLstmModel(1);
    randomParameters(model, 31);
    assertEquals(1, model.core().stepInputSize());
    assertEquals(13, model.core().stepOutputSize());
    assertStepsEqualSequence(model, tokens(7, 13, 32), 7);
  }

  @Test
  void networksReturningTheLastStepGiveTheWholeOutputAfterTheLastStep() {
    Model lstm = new RecurrentFixtureNetworks_NetLstmLastModel(1, 4);
    Model gru = new RecurrentFixtureNetworks_NetGruLastModel(1, 4);
    Model rnn = new RecurrentFixtureNetworks_NetRnnLastModel(1, 4);
    Model stacked = new RecurrentFixtureNetworks_NetLstmStackedModel(1, 4); // LSTM sequences -> LSTM last
    Model reshaped = new StepNetworks_ReshapesAfterLastStepModel(1, 4);
    for (Model model : List.of(lstm, gru, rnn, reshaped)) {
      randomParameters(model, 41);
      assertLastStepEqualsSequence(model, randomSequence(15, 42), 5);
    }
    randomParameters(stacked, 43);
    assertLastStepEqualsSequence(stacked, randomSequence(24, 44), 6);
    Model embedded = new RecurrentFixtureNetworks_NetEmbeddingLstmModel(1, 4);
    randomParameters(embedded, 45);
    assertLastStepEqualsSequence(embedded, tokens(6, 11, 46), 6);
  }

  @Test
  void interleavedStatesEqualSeparateRuns() {
    StepNetworks_CharLstmModel model = new StepNetworks_CharLstmModel(1);
    randomParameters(model, 51);
    ModelCore core = model.core();
    float[] a = tokens(7, 13, 52);
    float[] b = tokens(7, 13, 53);
    float[] aAlone = stepThrough(core, core.newState(), a, 7);
    float[] bAlone = stepThrough(core, core.newState(), b, 7);
    RecurrentState sa = core.newState();
    RecurrentState sb = core.newState();
    float[] outA = new float[13 * 7];
    float[] outB = new float[13 * 7];
    float[] out = new float[13];
    for (int t = 0; t < 7; t++) {
      core.step(sa, new float[] {a[t]}, out);
      System.arraycopy(out, 0, outA, t * 13, 13);
      core.step(sb, new float[] {b[t]}, out);
      System.arraycopy(out, 0, outB, t * 13, 13);
    }
    assertArrayEquals(aAlone, outA);
    assertArrayEquals(bAlone, outB);
  }

  @Test
  void resetRestoresTheZeroState() {
    StepNetworks_StackedModel model = new StepNetworks_StackedModel(1);
    randomParameters(model, 61);
    ModelCore core = model.core();
    float[] x = randomSequence(24, 62);
    RecurrentState state = core.newState();
    assertArrayEquals(new float[15], state.toArray());
    float[] first = stepThrough(core, state, x, 6);
    assertTrue(java.util.Arrays.stream(toDoubles(state.toArray())).anyMatch(v -> v != 0));
    state.reset();
    assertArrayEquals(new float[15], state.toArray());
    assertArrayEquals(first, stepThrough(core, state, x, 6));
  }

  @Test
  void copyFromForksASequence() {
    StepNetworks_CharLstmModel model = new StepNetworks_CharLstmModel(1);
    randomParameters(model, 65);
    ModelCore core = model.core();
    float[] x = tokens(7, 13, 66);
    float[] whole = stepThrough(core, core.newState(), x, 7);
    RecurrentState state = core.newState();
    stepThrough(core, state, java.util.Arrays.copyOf(x, 3), 3);
    RecurrentState fork = core.newState();
    fork.copyFrom(state);
    float[] rest = stepThrough(core, fork, java.util.Arrays.copyOfRange(x, 3, 7), 4);
    assertArrayEquals(java.util.Arrays.copyOfRange(whole, 3 * 13, 7 * 13), rest);
  }

  @Test
  void batchedStatesStepSequencesTogether() {
    StepNetworks_StackedModel model = new StepNetworks_StackedModel(1);
    randomParameters(model, 71);
    ModelCore core = model.core();
    float[][] sequences = {randomSequence(24, 72), randomSequence(24, 73), randomSequence(24, 74)};
    RecurrentState together = core.newState(3);
    assertEquals(3, together.batch());
    float[] input = new float[3 * 4];
    float[] output = new float[3 * 2];
    float[][] stepped = new float[3][6 * 2];
    for (int t = 0; t < 6; t++) {
      for (int s = 0; s < 3; s++) {
        System.arraycopy(sequences[s], t * 4, input, s * 4, 4);
      }
      core.step(together, input, output);
      for (int s = 0; s < 3; s++) {
        System.arraycopy(output, s * 2, stepped[s], t * 2, 2);
      }
    }
    for (int s = 0; s < 3; s++) {
      assertArrayEquals(model.predict(sequences[s]), stepped[s], (float) TOLERANCE);
    }
  }

  @Test
  void dropoutIsOffInAStepAndTheNoiseStreamUntouched() {
    StepNetworks_StackedModel model = new StepNetworks_StackedModel(1);
    randomParameters(model, 81);
    ModelCore core = model.core();
    core.setNoiseSeed(99);
    float[] x = randomSequence(24, 82);
    float[] first = stepThrough(core, core.newState(), x, 6);
    float[] second = stepThrough(core, core.newState(), x, 6);
    assertArrayEquals(first, second); // no mask drawn: the same steps give the same outputs
    // and the same as predict, which runs dropout as the identity (rate 0.5 would halve or zero half the values)
    assertArrayEquals(model.predict(x), first, (float) TOLERANCE);
    // the noise stream did not move: a training forward pass now equals one right after setNoiseSeed(99)
    float[][] batch = {x};
    float[][] afterSteps = core.forwardTraining(batch);
    core.setNoiseSeed(99);
    assertArrayEquals(core.forwardTraining(batch)[0], afterSteps[0]);
  }

  @Test
  void stepsReadTheModelsCurrentParameters() {
    StepNetworks_CharLstmModel model = new StepNetworks_CharLstmModel(1, 8);
    ModelCore core = model.core();
    float[] x = tokens(7, 13, 91);
    float[] before = stepThrough(core, core.newState(), x, 7);
    float[][] batch = {x};
    float[][] y = {tokens(7, 13, 92)};
    for (int i = 0; i < 5; i++) {
      model.trainOnBatch(batch, y);
    }
    float[] after = stepThrough(core, core.newState(), x, 7);
    assertTrue(Math.abs(after[0] - before[0]) > 1e-4, "training changed the step's output: " + before[0] + " " + after[0]);
    assertArrayEquals(model.predict(x), after, (float) TOLERANCE);
  }

  @Test
  void inferenceStepsFromManyThreadsEqualTheModelsSteps() throws Exception {
    StepNetworks_CharLstmModel model = new StepNetworks_CharLstmModel(1);
    randomParameters(model, 101);
    Inference inference = model.core().inference();
    int sequences = 8;
    List<float[]> inputs = new ArrayList<>();
    List<float[]> expected = new ArrayList<>();
    for (int s = 0; s < sequences; s++) {
      float[] x = tokens(7, 13, 200 + s);
      inputs.add(x);
      expected.add(stepThrough(model.core(), model.core().newState(), x, 7));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[]>> results = new ArrayList<>();
      for (int s = 0; s < sequences; s++) {
        float[] x = inputs.get(s);
        results.add(pool.submit(() -> {
          RecurrentState state = inference.newState();
          float[] outputs = new float[7 * 13];
          float[] out = new float[13];
          for (int repeat = 0; repeat < 200; repeat++) { // overlap the threads' steps
            state.reset();
            for (int t = 0; t < 7; t++) {
              inference.step(state, new float[] {x[t]}, out);
              System.arraycopy(out, 0, outputs, t * 13, 13);
            }
          }
          return outputs;
        }));
      }
      for (int s = 0; s < sequences; s++) {
        assertArrayEquals(expected.get(s), results.get(s).get());
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void networksThatCannotBeSteppedSayWhy() {
    UnsupportedOperationException flatten = assertThrows(UnsupportedOperationException.class,
        () -> new StepNetworks_FlattensTimeModel(1).core().newState());
    assertEquals("FlattensTime cannot run one time step at a time: Flatten flat mixes the time steps of its input"
        + " (5, 4) (only layers after the last recurrent layer, once it returns its last step, may mix positions)",
        flatten.getMessage());
    UnsupportedOperationException mixed = assertThrows(UnsupportedOperationException.class,
        () -> new StepNetworks_AddsSequenceToLastStepModel(1).core().newState());
    assertEquals("AddsSequenceToLastStep cannot run one time step at a time: Add sum reads inputs with and without"
        + " a time axis", mixed.getMessage());
    UnsupportedOperationException mlp = assertThrows(UnsupportedOperationException.class,
        () -> new FixtureNetworks_NetIrisModel(1).core().step(null, new float[4], new float[3]));
    assertEquals("NetIris cannot run one time step at a time: it has no recurrent layer (step runs @LSTM, @GRU and"
        + " @SimpleRNN networks one time step at a time)", mlp.getMessage());
  }

  @Test
  void wrongStatesAndSizesAreRejected() {
    ModelCore lstm = new RecurrentFixtureNetworks_NetLstmSeqModel(1, 4).core();
    ModelCore gru = new RecurrentFixtureNetworks_NetGruSeqModel(1, 4).core();
    RecurrentState gruState = gru.newState();
    IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
        () -> lstm.step(gruState, new float[3], new float[7]));
    assertEquals("this state belongs to network NetGruSeq, not to NetLstmSeq", foreign.getMessage());
    RecurrentState state = lstm.newState();
    IllegalArgumentException input = assertThrows(IllegalArgumentException.class,
        () -> lstm.step(state, new float[15], new float[7]));
    assertEquals("a step's input has 3 values per sequence, 1 sequences: 3 values, not 15", input.getMessage());
    lstm.setInputChecks(true);
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> lstm.step(state, new float[] {0, Float.NaN, 0}, new float[7]));
    assertEquals("step input has NaN at position 1", nan.getMessage());
    IllegalArgumentException batch = assertThrows(IllegalArgumentException.class, () -> lstm.newState(5));
    assertEquals("a state carries 1 to 4 sequences (the model's maxBatch), not 5", batch.getMessage());
  }

  private static double[] toDoubles(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }
}
