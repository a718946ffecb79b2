package dev.kiln.processor;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static com.google.testing.compile.CompilationSubject.assertThat;
import static java.util.stream.Collectors.toList;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * One compilation per diagnostic of {@link Message}: each declares a network with exactly one
 * mistake and checks the id, the text and the line the message is reported on.
 *
 * <p>Sources are written as text blocks after a one-line header ({@link #HEADER}: package and
 * imports). The line a diagnostic must be reported on is the one marked with {@code // <-}, so no
 * line needs counting by hand.
 *
 * <p>The compiler is {@code Compiler.javac()}, which compiles against the test JVM's class path:
 * the DSL annotations and the runtime (test scope) are on it, so generated models compile too
 * ({@link #validNetworkCompilesWithoutWarningsAndGeneratesModel} proves it).
 */
class ProcessorDiagnosticsTest {
  private static final String HEADER = "package test; "
      + "import dev.kiln.annotations.*; import dev.kiln.runtime.Layer; "
      + "import static dev.kiln.annotations.ActivationFunction.*; "
      + "import static dev.kiln.annotations.Initializer.*;\n";
  private static final String MARK = "// <-";

  /** The message a test method covers; {@link #everyEmittableMessageHasATest} checks the set is complete. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  @interface Covers {
    Message value();
  }

  // ------------------------------------------------------------------ the network type

  @Test
  @Covers(Message.NETWORK_KIND)
  void networkOnConcreteClass() {
    expectError(Message.NETWORK_KIND, "@Network goes on an interface or an abstract class; Net is a concrete class", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR) // <-
        class Net {
          @Dense(units = 1)
          Layer out() { return null; }
        }
        """);
  }

  @Test
  @Covers(Message.NETWORK_GENERIC)
  void networkWithTypeParameters() {
    expectError(Message.NETWORK_GENERIC, "@Network type Net must not declare type parameters", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR) // <-
        interface Net<T> {
          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.NETWORK_NESTING)
  void networkNestedPrivately() {
    expectError("test.Outer", Message.NETWORK_NESTING,
        "@Network type Net must be top-level or a static, non-private nested type", """
        class Outer {
          @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR) // <-
          private interface Net {
            @Dense(units = 1)
            Layer out();
          }
        }
        """);
  }

  @Test
  @Covers(Message.NETWORK_CONSTRUCTOR)
  void abstractClassWithoutNoArgConstructor() {
    expectError(Message.NETWORK_CONSTRUCTOR,
        "@Network abstract class Net needs a non-private constructor without parameters", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR) // <-
        abstract class Net {
          protected Net(long seed) {}

          @Dense(units = 1)
          abstract Layer out();
        }
        """);
  }

  // ------------------------------------------------------------------ @Network values

  @Test
  @Covers(Message.INPUT_MISSING)
  void inputEmpty() {
    expectError(Message.INPUT_MISSING, "@Network input must give the shape of one sample", """
        @Network(
            input = {}, // <-
            loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.INPUT_DIMENSION)
  void inputDimensionZero() {
    expectError(Message.INPUT_DIMENSION, "@Network input dimensions must be > 0; dimension 1 is 0", """
        @Network(
            input = {4, 0}, // <-
            loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Activation(RELU)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.MAX_BATCH)
  void maxBatchZero() {
    expectError(Message.MAX_BATCH, "@Network maxBatch must be > 0, was 0", """
        @Network(
            input = 2,
            loss = Loss.MEAN_SQUARED_ERROR,
            maxBatch = 0) // <-
        interface Net {
          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.NO_LAYERS)
  void noLayers() {
    expectError(Message.NO_LAYERS, "Net declares no layers; add abstract methods returning dev.kiln.runtime.Layer, each with a layer annotation (@Dense, @Activation, @Dropout", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR) // <-
        interface Net {
          default String describe() { return "no layers here"; }
        }
        """);
  }

  // ------------------------------------------------------------------ optimizers

  @Test
  @Covers(Message.OPTIMIZER_MULTIPLE)
  void twoOptimizers() {
    // Reported on the later annotation in source order.
    expectError(Message.OPTIMIZER_MULTIPLE, "Net declares both @Adam and @Sgd; declare one optimizer", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        @Adam
        @Sgd // <-
        interface Net {
          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.OPTIMIZER_VALUE)
  void negativeLearningRate() {
    expectError(Message.OPTIMIZER_VALUE, "@Adam learningRate must be >= 0 and finite, was -0.1", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        @Adam(
            beta1 = 0.8,
            learningRate = -0.1) // <-
        interface Net {
          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  // ------------------------------------------------------------------ layer methods

  @Test
  @Covers(Message.METHOD_UNANNOTATED)
  void abstractMethodWithoutLayerAnnotation() {
    expectError(Message.METHOD_UNANNOTATED,
        "abstract method hidden() declares no layer; annotate it with a layer annotation (@Dense, @Activation, @Dropout, ...) or give it a body", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          Layer hidden(); // <-

          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  @Test
  void inheritedAbstractMethodIsReportedOnTheNetwork() {
    expectError(Message.METHOD_UNANNOTATED, "abstract method Base.extra() declares no layer", """
        interface Base {
          int extra();
        }
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net extends Base { // <-
          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.METHOD_TWO_LAYERS)
  void denseAndActivationOnOneMethod() {
    expectError(Message.METHOD_TWO_LAYERS, "out() has both @Dense and @Activation; one method declares one layer", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 4)
          Layer hidden();

          @Dense(units = 1)
          @Activation(RELU) // <-
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.METHOD_RETURN_TYPE)
  void layerMethodReturningObject() {
    expectError(Message.METHOD_RETURN_TYPE, "layer method out() must return dev.kiln.runtime.Layer, not java.lang.Object", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 4)
          Layer hidden();

          @Dense(units = 1) // <-
          Object out();
        }
        """);
  }

  @Test
  @Covers(Message.METHOD_NOT_ABSTRACT)
  void layerMethodWithBody() {
    expectError(Message.METHOD_NOT_ABSTRACT,
        "layer method out() must be abstract: the generated class implements it", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 4)
          Layer hidden();

          @Dense(units = 1) // <-
          default Layer out() {
            return null;
          }
        }
        """);
  }

  @Test
  @Covers(Message.METHOD_SIGNATURE)
  void layerMethodThrowing() {
    expectError(Message.METHOD_SIGNATURE, "layer method out() must not declare thrown exceptions", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 4)
          Layer hidden();

          @Dense(units = 1) // <-
          Layer out() throws Exception;
        }
        """);
  }

  @Test
  @Covers(Message.METHOD_PARAMETER_TYPE)
  void layerParameterOfWrongType() {
    expectError(Message.METHOD_PARAMETER_TYPE,
        "parameter size of out() must have type dev.kiln.runtime.Layer and name an earlier layer", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 4)
          Layer hidden();

          @Dense(units = 1)
          Layer out(
              int size); // <-
        }
        """);
  }

  @Test
  @Covers(Message.METHOD_PARAMETER_UNKNOWN)
  void layerParameterNamingNoEarlierLayer() {
    expectError(Message.METHOD_PARAMETER_UNKNOWN,
        "parameter hiden of out() names no earlier layer; earlier layers are input, hidden", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 4)
          Layer hidden();

          @Dense(units = 1) // <-
          Layer out(Layer hiden);
        }
        """);
  }

  @Test
  @Covers(Message.GRAPH_LATER)
  void layerReadingALaterLayer() {
    expectError(Message.GRAPH_LATER,
        "parameter later of out() names a layer declared after it; a layer reads earlier layers only: "
            + "move later() above out()", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 4)
          Layer first();

          @Dense(units = 4) // <-
          Layer out(Layer later);

          @Dense(units = 1)
          Layer later(Layer first);
        }
        """);
  }

  @Test
  @Covers(Message.GRAPH_SELF)
  void layerReadingItself() {
    expectError(Message.GRAPH_SELF, "parameter out of out() names the layer itself", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 1) // <-
          Layer out(Layer out);
        }
        """);
  }

  @Test
  @Covers(Message.GRAPH_UNUSED)
  void layerNobodyReads() {
    expectError(Message.GRAPH_UNUSED,
        "side() is not read by any layer on the way to the output out(); connect it", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 4)
          Layer trunk();

          @Dense(units = 3) // <-
          Layer side(Layer trunk);

          @Dense(units = 1)
          Layer out(Layer trunk);
        }
        """);
  }

  @Test
  @Covers(Message.LAYER_INPUT_COUNT)
  void addOfOneInput() {
    expectError(Message.LAYER_INPUT_COUNT, "@Add takes 2 or more inputs, but skip() takes 1", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 2)
          Layer hidden();

          @Add // <-
          Layer skip(Layer hidden);
        }
        """);
  }

  @Test
  @Covers(Message.ADD_SHAPES)
  void addOfDifferentShapes() {
    expectError(Message.ADD_SHAPES,
        "@Add adds inputs of one shape, but skip() gets input (2) and hidden (3); give them the same shape", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 3)
          Layer hidden();

          @Add // <-
          Layer skip(Layer input, Layer hidden);
        }
        """);
  }

  @Test
  @Covers(Message.CONCATENATE_SHAPES)
  void concatenateOfDifferentRanks() {
    expectError(Message.CONCATENATE_SHAPES,
        "every other axis must agree, but joined() gets sequence (3, 4) and flat (5)", """
        @Network(loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Input({3, 4})
          Layer sequence();

          @Input(5)
          Layer flat();

          @Concatenate // <-
          Layer joined(Layer sequence, Layer flat);
        }
        """);
  }

  @Test
  @Covers(Message.INPUT_BOTH)
  void inputDeclaredTwice() {
    expectError(Message.INPUT_BOTH, "Net declares @Input layers and @Network(input = ...)", """
        @Network(
            input = 4, // <-
            loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Input(4)
          Layer features();

          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.SIZE_LIMIT)
  void parameterCountPastAnArray() {
    expectError(Message.SIZE_LIMIT,
        "wide(): the network's parameters up to wide.weight would be 4,294,967,296 values, more than a Java array holds",
        """
        @Network(input = 65536, maxBatch = 1, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 65536, useBias = false) // <-
          Layer wide();
        }
        """);
  }

  @Test
  void parameterCountAtTheLimitCompiles() {
    // 46340 x 46340 = 2,147,395,600 values: just under the 2,147,483,647 an array holds.
    Compilation compilation = compile(source("test.Net", """
        @Network(input = 46340, maxBatch = 1, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 46340, useBias = false)
          Layer wide();
        }
        """));
    assertThat(compilation).succeeded();
    assertThat(compilation).generatedSourceFile("test.NetModel").contentsAsUtf8String()
        .contains("PARAMETER_COUNT = 2147395600;");
  }

  @Test
  void batchBufferPastAnArrayIsReportedOnMaxBatch() {
    expectError(Message.SIZE_LIMIT,
        "@Network maxBatch 65536: the buffer of wide (65536) for a full batch would be 4,294,967,296 values", """
        @Network(input = 4,
            maxBatch = 65536, // <-
            loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 65536)
          Layer wide();
        }
        """);
  }

  @Test
  @Covers(Message.LAYER_DUPLICATE)
  void duplicateLayerName() {
    expectError(Message.LAYER_DUPLICATE, "layer name out is already declared; layer names must be unique", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 4)
          Layer out();

          @Dense(units = 1) // <-
          Layer out(Layer out);
        }
        """);
  }

  @Test
  void layerNamesThatShareAConstantGetDistinctConstants() {
    Compilation compilation = compile(source("test.Net", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 4)
          Layer hiddenLayer();

          @Dense(units = 1)
          Layer hidden_layer();
        }
        """));
    assertThat(compilation).succeeded();
    assertThat(compilation).generatedSourceFile("test.NetModel").contentsAsUtf8String()
        .contains("static final int HIDDEN_LAYER_WIDTH_ = 1;");
  }

  @Test
  @Covers(Message.LAYER_RESERVED)
  void layerNamedLikeAModelMethod() {
    expectError(Message.LAYER_RESERVED,
        "layer name summary clashes with a method of the generated model class; rename the method", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 1) // <-
          Layer summary();
        }
        """);
  }

  @Test
  void layerNamedLikeAnotherLayersBufferCompiles() {
    // Generated names are allocated around the declared ones: no clash, no error.
    Compilation compilation = compile(source("test.Net", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 3)
          Layer hidden();

          @Dense(units = 1)
          Layer hiddenOut();
        }
        """));
    assertThat(compilation).succeeded();
    assertNoKilnWarnings(compilation);
  }

  @Test
  void layersNamedLikeGeneratedConstantsCompile() {
    Compilation compilation = compile(source("test.Net", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 3)
          Layer INFO();

          @Dense(units = 3)
          Layer parameter_count();

          @Dense(units = 1)
          Layer INPUT_SIZE();
        }
        """));
    assertThat(compilation).succeeded();
    assertNoKilnWarnings(compilation);
  }

  @Test
  void layerNamedLikeANewerModelMethodIsReserved() {
    expectError(Message.LAYER_RESERVED, "layer name trainOnBatch clashes with a method", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 1) // <-
          Layer trainOnBatch();
        }
        """);
  }

  @Test
  void malformedOnlyLayerCausesNoFollowOnErrors() {
    // The layer stays in the model: no "declares no layers", no loss/output complaints.
    expectError(Message.METHOD_RETURN_TYPE, "layer method out() must return dev.kiln.runtime.Layer, not java.lang.Object", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 1) // <-
          Object out();
        }
        """);
  }

  // ------------------------------------------------------------------ @Weights files

  /** A compilation whose class path also holds {@code test/w.safetensors} with these tensors. */
  private static Compilation compileWithWeights(String body, String... tensors) throws Exception {
    StringBuilder header = new StringBuilder("{");
    long offset = 0;
    for (int i = 0; i < tensors.length; i += 2) {
      long[] shape = java.util.Arrays.stream(tensors[i + 1].split("x")).mapToLong(Long::parseLong).toArray();
      long bytes = 4 * java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      header.append(i == 0 ? "" : ",").append('"').append(tensors[i]).append("\":{\"dtype\":\"F32\",\"shape\":")
          .append(java.util.Arrays.toString(shape).replace(" ", "")).append(",\"data_offsets\":[").append(offset)
          .append(',').append(offset + bytes).append("]}");
      offset += bytes;
    }
    byte[] json = header.append('}').toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.nio.ByteBuffer file = java.nio.ByteBuffer.allocate(8 + json.length + (int) offset)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    file.putLong(json.length).put(json);
    return compileWithWeightsFile(body, file.array());
  }

  /** A compilation whose class path also holds {@code test/w.safetensors} with exactly these bytes. */
  static Compilation compileWithWeightsFile(String body, byte[] bytes) throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("kiln-weights");
    java.nio.file.Files.createDirectories(dir.resolve("test"));
    java.nio.file.Files.write(dir.resolve("test/w.safetensors"), bytes);
    List<java.io.File> classpath = new java.util.ArrayList<>();
    classpath.add(dir.toFile());
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      classpath.add(new java.io.File(entry));
    }
    return Compiler.javac().withProcessors(new KilnProcessor()).withClasspath(classpath)
        .compile(source("test.Net", body));
  }

  private static final String WEIGHTS_NET = """
      @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
      @Weights("w.safetensors") // <-
      interface Net {
        @Dense(units = 2)
        Layer hidden();

        @Dense(units = 1)
        Layer output();
      }
      """;

  @Test
  @Covers(Message.WEIGHTS_MISMATCH)
  void weightsFileWithAWrongShapeIsACompileErrorNamingTheTensor() throws Exception {
    Compilation compilation = compileWithWeights(WEIGHTS_NET,
        "hidden.weight", "3x2", "hidden.bias", "2", "output.weight", "1x2", "output.bias", "1");
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining(
        "[kiln.weights] @Weights file w.safetensors does not fit the network: tensor \"hidden.weight\" has shape [3, 2], expected [2, 2]")
        .inFile(compilation.sourceFiles().get(0)).onLine(markedLine(WEIGHTS_NET));
  }

  @Test
  void weightsFileWithMissingAndUnexpectedTensorsNamesThem() throws Exception {
    Compilation compilation = compileWithWeights(WEIGHTS_NET,
        "hidden.weight", "2x2", "hidden.bias", "2", "output.weight", "1x2", "head.bias", "1");
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining("tensor \"output.bias\" is missing");
    assertThat(compilation).hadErrorContaining("tensor \"head.bias\" is not in network Net");
  }

  @Test
  void fittingWeightsFileCompilesAndIsLoadedByTheConstructor() throws Exception {
    Compilation compilation = compileWithWeights(WEIGHTS_NET,
        "hidden.weight", "2x2", "hidden.bias", "2", "output.weight", "1x2", "output.bias", "1");
    assertThat(compilation).succeeded();
    assertThat(compilation).generatedSourceFile("test.NetModel").contentsAsUtf8String()
        .contains("core.loadResource(NetModel.class, \"w.safetensors\");");
  }

  @Test
  @Covers(Message.WEIGHTS_FORMAT)
  void weightsFileWithLessDataThanItsHeaderClaimsIsACompileError() throws Exception {
    // A valid header for WEIGHTS_NET (36 bytes of tensors), followed by only 32 bytes of data.
    byte[] json = ("{\"hidden.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
        + "\"hidden.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
        + "\"output.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[24,32]},"
        + "\"output.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[32,36]}}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] bytes = java.nio.ByteBuffer.allocate(8 + json.length + 32).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putLong(json.length).put(json).array();
    Compilation compilation = compileWithWeightsFile(WEIGHTS_NET, bytes);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining(
        "[kiln.weights.format] @Weights file w.safetensors cannot be loaded: tensor \"output.bias\" data_offsets "
            + "[32, 36] run past the end of the data buffer, which has 32 bytes (truncated?)")
        .inFile(compilation.sourceFiles().get(0)).onLine(markedLine(WEIGHTS_NET));
    assertWithMessage("errors").that(messages(compilation.errors())).hasSize(1);
  }

  @Test
  @Covers(Message.WEIGHTS_PATH)
  void weightsNamingNoFileIsACompileErrorOnTheValue() {
    for (String value : new String[] {"", ".", "models/", "../w.safetensors"}) {
      expectError(Message.WEIGHTS_PATH,
          "@Weights must name a resource file, such as \"model.safetensors\" next to the type or "
              + "\"/models/model.safetensors\" from the class path root; \"" + value + "\" names no file", """
          @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
          @Weights("%s") // <-
          interface Net {
            @Dense(units = 1)
            Layer out();
          }
          """.formatted(value));
    }
  }

  @Test
  @Covers(Message.WEIGHTS_NOT_FOUND)
  void weightsFileTheCompilerCannotSeeIsAWarningThatTheCheckMovesToRunTime() {
    expectWarning(Message.WEIGHTS_NOT_FOUND,
        "@Weights file absent.safetensors is not visible to the compiler (looked for test/absent.safetensors in "
            + "the class output, source path and class path), so the check moves to run time: the generated "
            + "constructor fails if it is missing or does not fit", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        @Weights("absent.safetensors") // <-
        interface Net {
          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  // ------------------------------------------------------------------ regularization and normalization layers

  @Test
  @Covers(Message.LABEL_SMOOTHING)
  void labelSmoothingOfOne() {
    expectError(Message.LABEL_SMOOTHING, "@Network labelSmoothing must be in [0, 1), was 1.0", """
        @Network(input = 2, loss = Loss.CATEGORICAL_CROSSENTROPY,
            labelSmoothing = 1.0) // <-
        interface Net {
          @Dense(units = 3, activation = SOFTMAX)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.LABEL_SMOOTHING_LOSS)
  void labelSmoothingOnARegressionLoss() {
    expectError(Message.LABEL_SMOOTHING_LOSS,
        "@Network labelSmoothing applies to the cross-entropy losses, not MEAN_SQUARED_ERROR", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR,
            labelSmoothing = 0.1) // <-
        interface Net {
          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.DROPOUT_RATE)
  void dropoutRateOfOne() {
    expectError(Message.DROPOUT_RATE, "@Dropout rate must be in [0, 1), was 1.0", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 4)
          Layer hidden();

          @Dropout(1.0) // <-
          Layer drop();

          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.NOISE_STDDEV)
  void negativeNoiseStddev() {
    expectError(Message.NOISE_STDDEV, "@GaussianNoise stddev must be >= 0 and finite, was -0.1", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @GaussianNoise(stddev = -0.1) // <-
          Layer noisy();

          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.NORM_MOMENTUM)
  void batchNormMomentumOfOne() {
    expectError(Message.NORM_MOMENTUM, "@BatchNorm momentum must be in [0, 1), was 1.0", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 4)
          Layer hidden();

          @BatchNorm(momentum = 1.0) // <-
          Layer norm();

          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.NORM_EPSILON)
  void layerNormEpsilonZero() {
    expectError(Message.NORM_EPSILON, "@LayerNorm epsilon must be > 0 and finite, was 0.0", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @LayerNorm(epsilon = 0) // <-
          Layer norm();

          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  @Test
  void normalizationAndDenseOnImagesApplyToTheLastAxis() {
    Compilation compilation = compile(source("test.Net", """
        @Network(input = {28, 28, 3}, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @BatchNorm
          Layer norm();

          @Dense(units = 4, activation = RELU)
          Layer mix();

          @LayerNorm
          Layer out();
        }
        """));
    assertThat(compilation).succeeded();
    assertThat(compilation).generatedSourceFile("test.NetModel").contentsAsUtf8String()
        .contains("MIX_POSITIONS = 784;");
  }

  @Test
  @Covers(Message.DENSE_REGULARIZER)
  void negativeL2Strength() {
    expectError(Message.DENSE_REGULARIZER, "@Dense kernelL2 must be >= 0 and finite, was -0.01", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 1, kernelL2 = -0.01) // <-
          Layer out();
        }
        """);
  }

  // ------------------------------------------------------------------ @Dense values and shapes

  @Test
  @Covers(Message.DENSE_UNITS)
  void denseUnitsZero() {
    expectError(Message.DENSE_UNITS, "@Dense units must be > 0, was 0", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(
              activation = RELU,
              units = 0) // <-
          Layer out();
        }
        """);
  }



  @Test
  @Covers(Message.INIT_VALUE)
  void initValueNotFinite() {
    expectError(Message.INIT_VALUE, "@Dense biasInitValue must be finite, was Infinity", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(
              units = 1,
              biasInit = CONSTANT,
              biasInitValue = Double.POSITIVE_INFINITY) // <-
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.INIT_VALUE_UNUSED)
  void initValueWithoutConstantInitializer() {
    expectWarning(Message.INIT_VALUE_UNUSED, "@Dense kernelInitValue only applies with Initializer.CONSTANT, not HE_NORMAL", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(
              units = 1,
              kernelInit = HE_NORMAL,
              kernelInitValue = 0.5) // <-
          Layer out();
        }
        """);
  }

  // ------------------------------------------------------------------ activations

  @Test
  @Covers(Message.SOFTMAX_POSITION)
  void softmaxOnHiddenLayer() {
    expectError(Message.SOFTMAX_POSITION, "SOFTMAX is supported on the output layer only, and hidden() is not the last layer", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(
              units = 4,
              activation = SOFTMAX) // <-
          Layer hidden();

          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.SOFTMAX_ONE_UNIT)
  void softmaxOverOneUnit() {
    expectError(Message.SOFTMAX_ONE_UNIT, "SOFTMAX over a single unit always outputs 1; use SIGMOID for one output", """
        @Network(input = 2, loss = Loss.CATEGORICAL_CROSSENTROPY)
        interface Net {
          @Dense(
              units = 1,
              activation = SOFTMAX) // <-
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.ALPHA_RANGE)
  void leakyReluAlphaOutOfRange() {
    expectError(Message.ALPHA_RANGE, "LEAKY_RELU alpha must be in [0, 1), was 1.5", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 4, activation = LEAKY_RELU,
              alpha = 1.5) // <-
          Layer hidden();

          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.ALPHA_UNUSED)
  void alphaOnRelu() {
    expectError(Message.ALPHA_UNUSED, "alpha has no effect on RELU; remove it or use LEAKY_RELU or ELU", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 1)
          Layer hidden();

          @Activation(value = RELU,
              alpha = 0.1) // <-
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.TEMPERATURE)
  void softmaxTemperatureZero() {
    expectError(Message.TEMPERATURE, "softmax temperature must be > 0 and finite, was 0.0", """
        @Network(input = 2, loss = Loss.CATEGORICAL_CROSSENTROPY)
        interface Net {
          @Dense(units = 3, activation = SOFTMAX,
              temperature = 0) // <-
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.TEMPERATURE_UNUSED)
  void temperatureOnTanh() {
    expectError(Message.TEMPERATURE_UNUSED, "temperature applies to SOFTMAX only, not TANH", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 4, activation = TANH,
              temperature = 2) // <-
          Layer hidden();

          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  // ------------------------------------------------------------------ losses

  @Test
  @Covers(Message.LOSS_ACTIVATION)
  void crossEntropyOnLinearOutput() {
    expectError(Message.LOSS_ACTIVATION,
        "CATEGORICAL_CROSSENTROPY expects probabilities from a SOFTMAX output, "
            + "but the output layer out() ends with LINEAR; use activation = SOFTMAX", """
        @Network(input = 2,
            loss = Loss.CATEGORICAL_CROSSENTROPY) // <-
        interface Net {
          @Dense(units = 3)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.LOSS_FROM_LOGITS)
  void fromLogitsOnASoftmaxOutput() {
    expectError(Message.LOSS_FROM_LOGITS,
        "@Network fromLogits = true makes CATEGORICAL_CROSSENTROPY apply softmax to the logits itself, "
            + "but the output layer out() ends with SOFTMAX; use a LINEAR output (or drop fromLogits)", """
        @Network(input = 2, loss = Loss.CATEGORICAL_CROSSENTROPY,
            fromLogits = true) // <-
        interface Net {
          @Dense(units = 3, activation = SOFTMAX)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.LOSS_FROM_LOGITS_REGRESSION)
  void fromLogitsOnARegressionLoss() {
    expectError(Message.LOSS_FROM_LOGITS_REGRESSION,
        "@Network fromLogits applies to the cross-entropy losses, not MEAN_SQUARED_ERROR", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR,
            fromLogits = true) // <-
        interface Net {
          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.LOSS_UNUSUAL)
  void meanSquaredErrorOnSigmoid() {
    expectWarning(Message.LOSS_UNUSUAL,
        "MEAN_SQUARED_ERROR on a SIGMOID output is legal but unusual: "
            + "cross-entropy gives stronger gradients for probabilities (BINARY_CROSSENTROPY)", """
        @Network(input = 2,
            loss = Loss.MEAN_SQUARED_ERROR) // <-
        interface Net {
          @Dense(units = 1, activation = SIGMOID)
          Layer out();
        }
        """);
  }

  // ------------------------------------------------------------------ types that never resolve

  @Test
  @Covers(Message.UNRESOLVED_TYPES)
  void layerMethodMentioningAMissingType() {
    // Deferred round after round in case another processor generates Missing; at the last round
    // Kiln gives up on the type, next to javac's own "cannot find symbol".
    // Reported on the @Network annotation, like the other type-level errors.
    String body = """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR) // <-
        interface Net {
          @Dense(units = 1)
          Missing out();
        }
        """;
    JavaFileObject file = source("test.Net", body);
    Compilation compilation = compile(file);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining("cannot find symbol");
    assertSingleKilnDiagnostic(compilation, file, markedLine(body), Diagnostic.Kind.ERROR, Message.UNRESOLVED_TYPES,
        "test.Net refers to types that never resolved");
  }

  // ------------------------------------------------------------------ several mistakes, valid networks

  @Test
  void threeMistakesAreReportedInOneCompilation() {
    JavaFileObject file = source("test.Net", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR,
            maxBatch = -1)
        @Sgd(learningRate = Double.NaN)
        interface Net {
          @Dense(units = 0)
          Layer out();
        }
        """);
    Compilation compilation = compile(file);
    assertThat(compilation).failed();
    assertThat(compilation.errors().size()).isAtLeast(3);
    assertThat(compilation).hadErrorContaining("[kiln.network.maxBatch] @Network maxBatch must be > 0, was -1")
        .inFile(file).onLine(3);
    assertThat(compilation).hadErrorContaining("[kiln.optimizer.value] @Sgd learningRate must be >= 0 and finite, was NaN")
        .inFile(file).onLine(4);
    assertThat(compilation).hadErrorContaining("[kiln.dense.units] @Dense units must be > 0, was 0")
        .inFile(file).onLine(6);
  }

  @Test
  void validNetworkCompilesWithoutWarningsAndGeneratesModel() {
    JavaFileObject file = source("test.Xor", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        @Adam(learningRate = 0.05)
        interface Xor {
          @Dense(units = 2, activation = LEAKY_RELU, kernelInit = HE_NORMAL)
          Layer hidden();

          @Dense(units = 1)
          Layer output();
        }
        """);
    Compilation compilation = compile(file);
    // Succeeding means XorModel compiled too: the runtime it calls is on the compiler's class path.
    assertThat(compilation).succeeded();
    assertNoKilnWarnings(compilation);
    assertThat(compilation).generatedSourceFile("test.XorModel").isNotNull();
    assertThat(compilation).generatedSourceFile("test.XorModel").contentsAsUtf8String()
        .contains("public final class XorModel implements Xor, Model");
  }

  @Test
  void abstractClassNetworkGeneratesSubclass() {
    JavaFileObject file = source("test.Regressor", """
        @Network(input = 3, loss = Loss.MEAN_ABSOLUTE_ERROR)
        @Momentum(learningRate = 0.02)
        abstract class Regressor {
          protected Regressor() {}

          @Dense(units = 4, activation = RELU)
          protected abstract Layer hidden();

          @Dense(units = 1)
          public abstract Layer out();

          /** A concrete helper: not a layer, and allowed. */
          public String describe() {
            return "regressor";
          }
        }
        """);
    Compilation compilation = compile(file);
    assertThat(compilation).succeeded();
    assertNoKilnWarnings(compilation);
    assertThat(compilation).generatedSourceFile("test.RegressorModel").contentsAsUtf8String()
        .contains("public final class RegressorModel extends Regressor implements Model");
    assertThat(compilation).generatedSourceFile("test.RegressorModel").contentsAsUtf8String()
        .contains("protected Layer hidden()");
  }

  @Test
  void nestedInterfaceGeneratesModelNamedAfterOuterAndInner() {
    JavaFileObject file = source("test.Outer", """
        class Outer {
          @Network(input = 2, loss = Loss.BINARY_CROSSENTROPY)
          interface Net {
            @Dense(units = 1, activation = SIGMOID)
            Layer out();
          }
        }
        """);
    Compilation compilation = compile(file);
    assertThat(compilation).succeeded();
    assertNoKilnWarnings(compilation);
    assertThat(compilation).generatedSourceFile("test.Outer_NetModel").contentsAsUtf8String()
        .contains("public final class Outer_NetModel implements Outer.Net, Model");
  }

  @Test
  void everyEmittableMessageHasATest() {
    Set<Message> covered = EnumSet.noneOf(Message.class);
    for (Method m : ProcessorDiagnosticsTest.class.getDeclaredMethods()) {
      Covers covers = m.getAnnotation(Covers.class);
      if (covers != null) {
        assertWithMessage("%s is covered twice", covers.value()).that(covered.add(covers.value())).isTrue();
      }
    }
    Set<Message> expected = EnumSet.allOf(Message.class);
    expected.remove(Message.INTERNAL_ERROR); // only reachable through a processor bug
    assertThat(covered).containsExactlyElementsIn(expected);
  }

  // ------------------------------------------------------------------ helpers

  private static JavaFileObject source(String qualifiedName, String body) {
    return JavaFileObjects.forSourceString(qualifiedName, HEADER + body);
  }

  private static Compilation compile(JavaFileObject... files) {
    return Compiler.javac().withProcessors(new KilnProcessor()).compile(files);
  }

  private static void expectError(Message message, String text, String body) {
    expectError("test.Net", message, text, body);
  }

  private static void expectError(String qualifiedName, Message message, String text, String body) {
    JavaFileObject file = source(qualifiedName, body);
    Compilation compilation = compile(file);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorContaining("[" + message.id + "] ").inFile(file).onLine(markedLine(body));
    assertThat(compilation).hadErrorContaining(text).inFile(file).onLine(markedLine(body));
    assertSingleKilnDiagnostic(compilation, file, markedLine(body), Diagnostic.Kind.ERROR, message, text);
    // Exactly this mistake: javac found nothing else wrong with the declaration.
    assertWithMessage("errors").that(messages(compilation.errors())).hasSize(1);
  }

  private static void expectWarning(Message message, String text, String body) {
    JavaFileObject file = source("test.Net", body);
    Compilation compilation = compile(file);
    assertThat(compilation).succeeded();
    assertThat(compilation).hadWarningContaining("[" + message.id + "] ").inFile(file).onLine(markedLine(body));
    assertThat(compilation).hadWarningContaining(text).inFile(file).onLine(markedLine(body));
    assertSingleKilnDiagnostic(compilation, file, markedLine(body), Diagnostic.Kind.WARNING, message, text);
    // A warning does not stop generation.
    assertThat(compilation).generatedSourceFile("test.NetModel").isNotNull();
  }

  /** The one diagnostic of Kiln's in the compilation has this kind, id, text and marked line. */
  private static void assertSingleKilnDiagnostic(
      Compilation compilation, JavaFileObject file, int line, Diagnostic.Kind kind, Message message, String text) {
    List<Diagnostic<? extends JavaFileObject>> kiln = compilation.diagnostics().stream()
        .filter(d -> d.getMessage(Locale.ROOT).contains("[kiln."))
        .collect(toList());
    assertWithMessage("Kiln's diagnostics").that(messages(kiln)).hasSize(1);
    Diagnostic<? extends JavaFileObject> d = kiln.get(0);
    assertEquals(kind, d.getKind(), "kind");
    assertThat(d.getMessage(Locale.ROOT)).startsWith("[" + message.id + "] ");
    assertThat(d.getMessage(Locale.ROOT)).contains(text);
    assertThat(d.getSource()).isNotNull();
    assertEquals(file.toUri(), d.getSource().toUri(), "file");
    assertEquals(line, d.getLineNumber(), "line of " + d.getMessage(Locale.ROOT));
  }

  private static void assertNoKilnWarnings(Compilation compilation) {
    assertWithMessage("Kiln's warnings")
        .that(messages(compilation.warnings()).stream().filter(m -> m.contains("[kiln.")).collect(toList()))
        .isEmpty();
  }

  private static List<String> messages(List<? extends Diagnostic<? extends JavaFileObject>> diagnostics) {
    List<String> out = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diagnostics) {
      out.add(d.getKind() + " line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT));
    }
    return out;
  }

  /** The line (1-based, counting the header) of the single line of {@code body} marked {@code // <-}. */
  private static int markedLine(String body) {
    String[] lines = body.split("\n", -1);
    int found = -1;
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains(MARK)) {
        if (found != -1) {
          throw new IllegalArgumentException("more than one line marked " + MARK);
        }
        found = i;
      }
    }
    if (found == -1) {
      throw new IllegalArgumentException("no line marked " + MARK);
    }
    return found + 2; // + 1 for the header line, + 1 because lines count from 1
  }
}
