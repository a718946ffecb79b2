package dev.kiln.processor.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.annotations.Dense;
import dev.kiln.annotations.Loss;
import dev.kiln.annotations.Network;
import dev.kiln.annotations.Sgd;
import dev.kiln.runtime.FitOptions;
import dev.kiln.runtime.History;
import dev.kiln.runtime.Inference;
import dev.kiln.runtime.Layer;
import dev.kiln.runtime.ModelCore;
import dev.kiln.runtime.io.KilnFormatException;
import dev.kiln.runtime.training.Callback;
import dev.kiln.runtime.training.EarlyStopping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One rule per row: a null argument, a negative count, a NaN or infinite weight or an unknown
 * monitor is refused with the exception type and message in the row, before anything changes (the
 * parameters and the optimizer's step count are those of a fresh model afterwards).
 */
class RuntimeArgumentsTest {
  @Network(input = 3, loss = Loss.MEAN_SQUARED_ERROR)
  @Sgd(learningRate = 0.1)
  interface Net {
    @Dense(units = 2)
    Layer output();
  }

  /** A call on the model; the model is fresh for every row. */
  @FunctionalInterface
  interface Call {
    void run(RuntimeArgumentsTest_NetModel model) throws Throwable;
  }

  private static final float[][] X = {{1, 2, 3}, {0.5f, -1, 0}};
  private static final float[][] Y = {{1, 0}, {0, 1}};
  private static final FitOptions ONE_EPOCH = FitOptions.epochs(1).withBatchSize(2).withVerbose(false);
  private static final String NON_FINITE_HINT =
      "; weights must be finite (ModelCore.setParameters(values, true) accepts NaN and infinity)";
  private static Path nanFile;

  @BeforeAll
  static void writeAFileWithANaN(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    RuntimeArgumentsTest_NetModel model = new RuntimeArgumentsTest_NetModel(1);
    float[] values = model.core().parameters();
    values[7] = Float.NaN; // the second bias
    model.core().setParameters(values, true);
    nanFile = dir.resolve("nan.safetensors");
    model.save(nanFile);
  }

  static Stream<Arguments> rules() {
    float[] nan = new float[8];
    nan[2] = Float.NaN;
    return Stream.of(
        // ModelCore and Model
        row("fit: null options", m -> m.fit(X, Y, (FitOptions) null), NullPointerException.class, "options"),
        row("fit: null targets", m -> m.fit(X, null, ONE_EPOCH), IllegalArgumentException.class,
            "training inputs and targets must not be null"),
        row("fit: null inputs", m -> m.fit((float[][]) null, Y, ONE_EPOCH), IllegalArgumentException.class,
            "training inputs must not be null"),
        row("fit: null input list", m -> m.fit((List<float[][]>) null, Y, ONE_EPOCH), IllegalArgumentException.class,
            "training inputs must not be null"),
        row("trainOnBatch: null inputs", m -> m.trainOnBatch((float[][]) null, Y), IllegalArgumentException.class,
            "batch inputs must not be null"),
        row("evaluate: null targets", m -> m.evaluate(X, (float[][]) null), IllegalArgumentException.class,
            "evaluation inputs and targets must not be null"),
        row("predict: null rows", m -> m.predict((float[][]) null), IllegalArgumentException.class,
            "inputs must not be null"),
        row("predict: null sample", m -> m.predict(null, new float[2]), IllegalArgumentException.class,
            "input 0 has no values, the network takes 3"),
        row("predict: null out", m -> m.predict(X[0], null), NullPointerException.class, "out"),
        row("predict: null flat input", m -> m.core().predict(null, 1, new float[2]), NullPointerException.class, "x"),
        row("predict: negative count", m -> m.core().predict(new float[3], -1, new float[2]),
            IllegalArgumentException.class, "input array has 3 values, expected -1 x 3"),
        row("backwardToInput: null gradient", m -> m.core().backwardToInput(X, Y, null), IllegalArgumentException.class,
            "input-gradient array 0 must have 2 rows"),
        row("save: null path", m -> m.save(null), NullPointerException.class, "path"),
        row("load: null path", m -> m.load(null), NullPointerException.class, "path"),
        row("loadResource: null anchor", m -> m.core().loadResource(null, "x.safetensors"), NullPointerException.class,
            "anchor"),
        row("loadResource: null resource", m -> m.core().loadResource(Net.class, null), NullPointerException.class,
            "resource"),
        row("layer: null name", m -> m.core().layer(null), NullPointerException.class, "name"),
        row("setTrainable: null name", m -> m.core().setTrainable(null, false), NullPointerException.class, "name"),
        row("setOptimizer: null", m -> m.core().setOptimizer(null), NullPointerException.class, "optimizer"),
        row("setParameters: null", m -> m.core().setParameters(null), NullPointerException.class, "values"),
        row("setParameters: NaN", m -> m.core().setParameters(nan), IllegalArgumentException.class,
            "parameter 2 (in output.weight) is NaN; parameters must be finite (setParameters(values, true) accepts"
                + " NaN and infinity)"),
        row("setLearningRate: NaN", m -> m.setLearningRate(Float.NaN), IllegalArgumentException.class,
            "SGD learning rate must be finite and >= 0, got nan"),
        row("warmUp: negative batch", m -> m.core().warmUp(-1, 1), IllegalArgumentException.class,
            "warmUp needs batchSize >= 1 and iterations >= 0, got -1, 1"),
        row("warmUp: negative iterations", m -> m.core().warmUp(1, -1), IllegalArgumentException.class,
            "warmUp needs batchSize >= 1 and iterations >= 0, got 1, -1"),
        row("load: a NaN in the file", m -> m.load(nanFile), KilnFormatException.class,
            nanFile + ": tensor output.bias has NaN at element 1; Kiln loads finite weights only (to load such a"
                + " file anyway, read it with SafeTensors.read and pass the values to"
                + " ModelCore.setParameters(values, true))"),
        row("fit: misspelt monitor", m -> m.fit(X, Y, ONE_EPOCH.withValidation(X, Y)
                .withCallbacks(EarlyStopping.monitoring("val_los"))), IllegalArgumentException.class,
            "EarlyStopping monitors 'val_los', which this training does not record; available: [loss, val_loss,"
                + " seconds]"),
        row("fit: val_loss without validation", m -> m.fit(X, Y, ONE_EPOCH
                .withCallbacks(EarlyStopping.monitoring("val_loss"))), IllegalArgumentException.class,
            "EarlyStopping monitors 'val_loss', which this training does not record; available: [loss, seconds];"
                + " validation values need FitOptions.withValidation"),
        // Layer
        row("setKernel: null", m -> m.output().setKernel(null), NullPointerException.class, "kernel"),
        row("setKernel: null row", m -> m.output().setKernel(new float[3][]), IllegalArgumentException.class,
            "layer 'output' kernel row 0 must have 2 values (units), got null"),
        row("setKernel: infinity", m -> m.output().setKernel(new float[][] {{0, 0}, {0, Float.POSITIVE_INFINITY}, {0, 0}}),
            IllegalArgumentException.class, "layer 'output' kernel[1][1] is Infinity" + NON_FINITE_HINT),
        row("setBias: null", m -> m.output().setBias(null), NullPointerException.class, "bias"),
        row("setBias: NaN", m -> m.output().setBias(new float[] {Float.NaN, 0}), IllegalArgumentException.class,
            "layer 'output' bias[0] is NaN" + NON_FINITE_HINT),
        // Inference
        row("Inference.predict: null sample", m -> m.inference().predict(null), IllegalArgumentException.class,
            "input has no values, the network takes 3"),
        row("Inference.predict: negative count", m -> m.inference().predict(new float[0], -1, new float[0]),
            IllegalArgumentException.class, "input array must hold -1 x 3 values"),
        // FitOptions and History
        row("FitOptions.withCallbacks: null array", m -> ONE_EPOCH.withCallbacks((Callback[]) null),
            NullPointerException.class, "callbacks"),
        row("FitOptions.withCallbacks: null callback", m -> ONE_EPOCH.withCallbacks((Callback) null),
            IllegalArgumentException.class, "callback 0 is null"),
        row("FitOptions.epochs: negative", m -> FitOptions.epochs(-1), IllegalArgumentException.class,
            "epochs must be >= 1, was -1"),
        row("FitOptions.withBatchSize: 0", m -> ONE_EPOCH.withBatchSize(0), IllegalArgumentException.class,
            "batchSize must be >= 1, was 0"),
        row("FitOptions.withProgressEvery: negative", m -> ONE_EPOCH.withProgressEvery(-1),
            IllegalArgumentException.class, "progressEvery must be >= 0 (0 prints nothing), was -1"),
        row("FitOptions.withValidation: null", m -> ONE_EPOCH.withValidation(null, Y), IllegalArgumentException.class,
            "validation inputs and targets must both be given"),
        row("History.get: null", m -> new History().get(null), IllegalArgumentException.class,
            "no 'null' in this history; it has []"));
  }

  private static Arguments row(String rule, Call call, Class<? extends Throwable> type, String message) {
    return Arguments.of(rule, call, type, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void isRefusedBeforeAnythingChanges(String rule, Call call, Class<? extends Throwable> type, String message) {
    RuntimeArgumentsTest_NetModel model = new RuntimeArgumentsTest_NetModel(1);
    float[] before = model.core().parameters();
    Executable executable = () -> call.run(model);
    Throwable e = assertThrows(type, executable, rule);
    assertEquals(message, e.getMessage(), rule);
    assertArrayEquals(before, model.core().parameters(), rule);
    assertArrayEquals(new RuntimeArgumentsTest_NetModel(1).core().parameters(), model.core().parameters(), rule);
    assertEquals(0, model.optimizer().iterations(), rule);
    assertEquals(0.1f, model.optimizer().learningRate(), rule);
  }

  @Test
  void loadResourceRefusesANaNInTheFileAndKeepsTheWeights() throws Exception {
    Path classes = Path.of(RuntimeArgumentsTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path resource = classes.resolve("dev/kiln/processor/functional/runtime-arguments-nan.safetensors");
    Files.copy(nanFile, resource, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    try {
      RuntimeArgumentsTest_NetModel model = new RuntimeArgumentsTest_NetModel(1);
      float[] before = model.core().parameters();
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> model.core().loadResource(RuntimeArgumentsTest.class, "runtime-arguments-nan.safetensors"));
      assertEquals(true, e.getMessage().startsWith("@Weights resource runtime-arguments-nan.safetensors could not be"
          + " loaded: "), e.getMessage());
      assertEquals(true, e.getMessage().contains(": tensor output.bias has NaN at element 1; Kiln loads finite weights"
          + " only"), e.getMessage());
      assertArrayEquals(before, model.core().parameters());
    } finally {
      Files.deleteIfExists(resource);
    }
  }

  @Test
  void setParametersTakesNonFiniteValuesWhenAsked() {
    RuntimeArgumentsTest_NetModel model = new RuntimeArgumentsTest_NetModel(1);
    float[] values = new float[8];
    values[3] = Float.NEGATIVE_INFINITY;
    model.core().setParameters(values, true);
    assertArrayEquals(values, model.core().parameters());
  }

  @Test
  void inferenceKeepsTheInputCheckSettingOfTheMomentItWasTaken() {
    RuntimeArgumentsTest_NetModel model = new RuntimeArgumentsTest_NetModel(1);
    float[] bad = {0.5f, Float.NaN, 1};
    model.setInputChecks(true);
    Inference checking = model.inference();
    model.setInputChecks(false);
    Inference unchecked = model.inference();
    model.setInputChecks(true); // later changes reach neither snapshot

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> checking.predict(bad));
    assertEquals("input has NaN at position 1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> checking.predict(bad, 1, new float[2]));
    assertEquals("input has NaN at position 1", e.getMessage());
    float[] out = unchecked.predict(bad); // NaN in, NaN out, as documented for unchecked inputs
    assertEquals(true, Float.isNaN(out[0]) && Float.isNaN(out[1]), java.util.Arrays.toString(out));
    e = assertThrows(IllegalArgumentException.class, () -> model.predict(bad));
    assertEquals("input 0 has NaN at position 1", e.getMessage());
  }

  /** Inputs of a vector or more are checked by the vector kernel; the message still names the first bad value. */
  @Test
  void aWideInputsBadValueIsNamedByPosition() {
    ThreadCountDeterminismTest_WideMlpModel model = new ThreadCountDeterminismTest_WideMlpModel(1, 4);
    model.setInputChecks(true);
    Inference inference = model.inference();
    float[] x = new float[256];
    x[200] = Float.NEGATIVE_INFINITY;
    x[255] = Float.NaN;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> inference.predict(x));
    assertEquals("input has -Infinity at position 200", e.getMessage());
    x[200] = 0;
    e = assertThrows(IllegalArgumentException.class, () -> inference.predict(x, 1, new float[10]));
    assertEquals("input has NaN at position 255", e.getMessage());
  }
}
