package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.tools.JavaFileObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compares the generated source of two small networks with the golden files
 * {@code src/test/resources/golden/<Name>Model.java.txt}, character for character (line endings
 * normalized), and checks that generating twice gives the same text.
 *
 * <p>After an intended change to the generated code, rewrite the golden files and review the diff:
 *
 * <pre>
 * mvn -pl processor test -Dtest=GoldenSourceTest -Dkiln.updateGolden=true
 * git diff processor/src/test/resources/golden
 * </pre>
 *
 * With {@code kiln.updateGolden=true} the test writes each file into the source tree (resolved from
 * the module directory, which is the working directory under Maven) and passes.
 */
class GoldenSourceTest {
  private static final boolean UPDATE = Boolean.getBoolean("kiln.updateGolden");

  /** The seed's XOR network: Dense + leaky ReLU, linear output, mean squared error, Adam. */
  private static final String XOR = """
      package test;

      import static dev.kiln.annotations.ActivationFunction.LEAKY_RELU;
      import static dev.kiln.annotations.Initializer.HE_NORMAL;

      import dev.kiln.annotations.Adam;
      import dev.kiln.annotations.Dense;
      import dev.kiln.annotations.Loss;
      import dev.kiln.annotations.Network;
      import dev.kiln.runtime.Layer;

      @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
      @Adam(learningRate = 0.05)
      interface Xor {
        @Dense(units = 2, activation = LEAKY_RELU, kernelInit = HE_NORMAL)
        Layer hidden();

        @Dense(units = 1)
        Layer output();
      }
      """;

  /**
   * A classifier with separate @Activation layers, ending in softmax under categorical
   * cross-entropy: the loss is fused into the softmax layer's backward pass.
   */
  private static final String CLASSIFIER = """
      package test;

      import static dev.kiln.annotations.ActivationFunction.SOFTMAX;
      import static dev.kiln.annotations.ActivationFunction.TANH;

      import dev.kiln.annotations.Activation;
      import dev.kiln.annotations.Dense;
      import dev.kiln.annotations.Loss;
      import dev.kiln.annotations.Network;
      import dev.kiln.annotations.Sgd;
      import dev.kiln.runtime.Layer;

      @Network(input = 4, loss = Loss.CATEGORICAL_CROSSENTROPY, maxBatch = 32)
      @Sgd(learningRate = 0.1)
      interface Classifier {
        @Dense(units = 5)
        Layer hidden();

        @Activation(TANH)
        Layer squash();

        @Dense(units = 3)
        Layer logits();

        @Activation(SOFTMAX)
        Layer probabilities();
      }
      """;

  /**
   * A graph: two inputs, a residual Add over a branch, a Concatenate, and a layer read by three
   * others (fan-out: their gradients are summed into its gradient buffer).
   */
  private static final String WIDE_AND_DEEP = """
      package test;

      import static dev.kiln.annotations.ActivationFunction.RELU;
      import static dev.kiln.annotations.ActivationFunction.SIGMOID;

      import dev.kiln.annotations.Add;
      import dev.kiln.annotations.Concatenate;
      import dev.kiln.annotations.Dense;
      import dev.kiln.annotations.Input;
      import dev.kiln.annotations.Loss;
      import dev.kiln.annotations.Network;
      import dev.kiln.runtime.Layer;

      @Network(loss = Loss.BINARY_CROSSENTROPY, maxBatch = 16)
      interface WideAndDeep {
        @Input(6)
        Layer deep();

        @Input(3)
        Layer wide();

        @Dense(units = 6, activation = RELU)
        Layer block(Layer deep);

        @Add
        Layer residual(Layer deep, Layer block);

        @Concatenate
        Layer joined(Layer residual, Layer wide, Layer deep);

        @Dense(units = 1, activation = SIGMOID)
        Layer output();
      }
      """;

  /**
   * A small CNN: SAME convolution with stride 2 (scratch buffer, geometry constant), max pooling
   * (int argmax buffer), Flatten (views of its input and of its input's gradient) and a Dense layer
   * whose weight is saved in PyTorch's channels-first column order.
   */
  private static final String SMALL_CNN = """
      package test;

      import static dev.kiln.annotations.ActivationFunction.RELU;
      import static dev.kiln.annotations.ActivationFunction.SOFTMAX;

      import dev.kiln.annotations.Conv2D;
      import dev.kiln.annotations.Dense;
      import dev.kiln.annotations.Flatten;
      import dev.kiln.annotations.Loss;
      import dev.kiln.annotations.MaxPool2D;
      import dev.kiln.annotations.Network;
      import dev.kiln.annotations.Padding;
      import dev.kiln.runtime.Layer;

      @Network(input = {9, 9, 1}, loss = Loss.CATEGORICAL_CROSSENTROPY, maxBatch = 16)
      interface SmallCnn {
        @Conv2D(filters = 4, kernelSize = 3, strides = 2, padding = Padding.SAME, activation = RELU)
        Layer conv();

        @MaxPool2D
        Layer pool();

        @Flatten
        Layer flat();

        @Dense(units = 3, activation = SOFTMAX)
        Layer output();
      }
      """;

  /**
   * Training-only image layers: flip, translation and zoom (per-sample draws into a transforms
   * buffer, then a resampling), spatial dropout; each output a view that inference points at its input.
   */
  private static final String AUGMENTED_CNN = """
      package test;

      import static dev.kiln.annotations.ActivationFunction.RELU;
      import static dev.kiln.annotations.ActivationFunction.SOFTMAX;

      import dev.kiln.annotations.Conv2D;
      import dev.kiln.annotations.Dense;
      import dev.kiln.annotations.FillMode;
      import dev.kiln.annotations.GlobalAveragePool2D;
      import dev.kiln.annotations.Interpolation;
      import dev.kiln.annotations.Loss;
      import dev.kiln.annotations.Network;
      import dev.kiln.annotations.RandomFlip;
      import dev.kiln.annotations.RandomTranslation;
      import dev.kiln.annotations.RandomZoom;
      import dev.kiln.annotations.SpatialDropout2D;
      import dev.kiln.runtime.Layer;

      @Network(input = {8, 8, 1}, loss = Loss.CATEGORICAL_CROSSENTROPY, maxBatch = 16)
      interface AugmentedCnn {
        @RandomFlip
        Layer flip();

        @RandomTranslation(heightFactor = 0.1, widthFactor = {-0.2, 0.1}, fillMode = FillMode.CONSTANT)
        Layer shift();

        @RandomZoom(heightFactor = 0.2, interpolation = Interpolation.NEAREST)
        Layer zoom();

        @Conv2D(filters = 4, kernelSize = 3, activation = RELU)
        Layer conv();

        @SpatialDropout2D(0.25)
        Layer drop();

        @GlobalAveragePool2D
        Layer pool();

        @Dense(units = 3, activation = SOFTMAX)
        Layer output();
      }
      """;

  /**
   * A character model: token ids through an embedding, a GRU and an LSTM over time, dropout and a
   * softmax at every step. Its step program (one time step, carried states) is generated too.
   */
  private static final String CHAR_MODEL = """
      package test;

      import static dev.kiln.annotations.ActivationFunction.SOFTMAX;

      import dev.kiln.annotations.Adam;
      import dev.kiln.annotations.Dense;
      import dev.kiln.annotations.Dropout;
      import dev.kiln.annotations.Embedding;
      import dev.kiln.annotations.GRU;
      import dev.kiln.annotations.LSTM;
      import dev.kiln.annotations.Loss;
      import dev.kiln.annotations.Network;
      import dev.kiln.runtime.Layer;

      @Network(input = 16, loss = Loss.SPARSE_CATEGORICAL_CROSSENTROPY, maxBatch = 32)
      @Adam(learningRate = 0.002)
      interface CharModel {
        @Embedding(inputDim = 27, outputDim = 8)
        Layer embed();

        @GRU(units = 12, returnSequences = true)
        Layer gru();

        @LSTM(units = 10, returnSequences = true)
        Layer lstm();

        @Dropout(0.2)
        Layer dropout();

        @Dense(units = 27, activation = SOFTMAX)
        Layer next();
      }
      """;

  static Stream<Arguments> networks() {
    return Stream.of(Arguments.of("Xor", XOR), Arguments.of("Classifier", CLASSIFIER),
        Arguments.of("WideAndDeep", WIDE_AND_DEEP), Arguments.of("SmallCnn", SMALL_CNN),
        Arguments.of("AugmentedCnn", AUGMENTED_CNN), Arguments.of("CharModel", CHAR_MODEL));
  }

  @ParameterizedTest(name = "{0}Model")
  @MethodSource("networks")
  void generatedSourceMatchesGoldenFile(String name, String source) throws IOException {
    String generated = generate(name, source);
    Path golden = goldenDirectory().resolve(name + "Model.java.txt");
    if (UPDATE) {
      Files.createDirectories(golden.getParent());
      Files.writeString(golden, generated, StandardCharsets.UTF_8);
      return;
    }
    assertTrue(Files.exists(golden), golden + " is missing; run with -Dkiln.updateGolden=true to create it");
    String expected = normalize(Files.readString(golden, StandardCharsets.UTF_8));
    assertEquals(expected, generated,
        "generated " + name + "Model differs from " + golden + "; if the change is intended, "
            + "rerun with -Dkiln.updateGolden=true and review the diff");
  }

  @ParameterizedTest(name = "{0}Model")
  @MethodSource("networks")
  void generationIsDeterministic(String name, String source) {
    assertEquals(generate(name, source), generate(name, source));
  }

  private static String generate(String name, String source) {
    JavaFileObject file = JavaFileObjects.forSourceString("test." + name, source);
    Compilation compilation = Compiler.javac().withProcessors(new KilnProcessor()).compile(file);
    assertThat(compilation).succeeded();
    JavaFileObject model = compilation.generatedSourceFile("test." + name + "Model")
        .orElseThrow(() -> new AssertionError("no test." + name + "Model generated"));
    try {
      return normalize(model.getCharContent(true).toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String normalize(String text) {
    return text.replace("\r\n", "\n").replace('\r', '\n');
  }

  /** The golden folder in the source tree: from the module directory (Maven) or the repository root (an IDE). */
  private static Path goldenDirectory() {
    Path base = Path.of(System.getProperty("user.dir"));
    Path inModule = base.resolve("src/test/resources/golden");
    Path inRepository = base.resolve("processor/src/test/resources/golden");
    return !Files.isDirectory(inModule) && Files.isDirectory(inRepository) ? inRepository : inModule;
  }
}
