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

  @Test
  @Covers(Message.NETWORK_SEALED)
  void sealedNetworkInterface() {
    expectError(Message.NETWORK_SEALED,
        "@Network type Net is sealed, so the generated NetModel cannot implement it", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR) // <-
        sealed interface Net permits Other {
          @Dense(units = 1)
          Layer out();
        }

        non-sealed interface Other extends Net {}
        """);
  }

  @Test
  void sealedNetworkClass() {
    expectError(Message.NETWORK_SEALED, "@Network type Net is sealed, so the generated NetModel cannot extend it", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR) // <-
        abstract sealed class Net permits Other {
          @Dense(units = 1)
          abstract Layer out();
        }

        abstract non-sealed class Other extends Net {}
        """);
  }

  @Test
  void nonSealedNetworkCompiles() {
    Compilation compilation = compile(source("test.Base", """
        sealed interface Base permits Net {}

        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        non-sealed interface Net extends Base {
          @Dense(units = 1)
          Layer out();
        }
        """));
    assertThat(compilation).succeeded();
    assertThat(compilation).generatedSourceFile("test.NetModel").contentsAsUtf8String()
        .contains("public final class NetModel implements Net, Model");
  }

  @Test
  @Covers(Message.NETWORK_CONSTRUCTOR_THROWS)
  void abstractClassConstructorThrowingACheckedException() {
    expectError(Message.NETWORK_CONSTRUCTOR_THROWS,
        "the constructor Net() declares the checked exception java.io.IOException, which the generated model's "
            + "constructors cannot declare (new NetModel() would have to catch it)", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        abstract class Net {
          protected Net() throws java.io.IOException {} // <-

          @Dense(units = 1)
          abstract Layer out();
        }
        """);
  }

  @Test
  void abstractClassConstructorThrowingAnUncheckedExceptionCompiles() {
    Compilation compilation = compile(source("test.Net", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        abstract class Net {
          protected Net() throws IllegalStateException, AssertionError {}

          @Dense(units = 1)
          abstract Layer out();
        }
        """));
    assertThat(compilation).succeeded();
  }

  @Test
  @Covers(Message.MODEL_NAME_CLASH)
  void nestedAndTopLevelNetworksWhoseModelsShareAName() {
    // O.X and O_X would both generate O_XModel: the first in name order (O.X) gets it.
    expectError("test.O", Message.MODEL_NAME_CLASH,
        "the class Kiln generates for test.O_X, test.O_XModel, clashes with the one generated for test.O.X; "
            + "rename one of them", """
        class O {
          @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
          interface X {
            @Dense(units = 1)
            Layer out();
          }
        }

        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR) // <-
        interface O_X {
          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  @Test
  void networkNextToAUserClassNamedLikeItsModel() {
    expectError("test.X", Message.MODEL_NAME_CLASH,
        "the class Kiln generates for test.X, test.XModel, clashes with the type test.XModel declared in this "
            + "compilation; rename one of them", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR) // <-
        interface X {
          @Dense(units = 1)
          Layer out();
        }

        class XModel {}
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
    // The cost is in the class javadoc: 4 bytes per parameter; buffers of 46340 (input, twice),
    // 46340 x 2 (wide's output and gradient) and 46340 (target) values per sample, for 1 sample.
    assertThat(compilation).generatedSourceFile("test.NetModel").contentsAsUtf8String()
        .contains("Memory: 2,147,395,600 parameters take 8,589,582,400 bytes");
    assertThat(compilation).generatedSourceFile("test.NetModel").contentsAsUtf8String()
        .contains("{@code DEFAULT_MAX_BATCH} = 1 samples take 926,800 bytes (231,700 values per sample)");
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
  @Covers(Message.FLOAT_RANGE)
  void adamEpsilonThatUnderflowsAFloat() {
    expectError(Message.FLOAT_RANGE,
        "@Adam epsilon = 1.0E-60 does not survive the generated code's float arithmetic: as a float it is 0.0, "
            + "which is not > 0 and finite (floats hold magnitudes from 1.4E-45 to 3.4028235E38", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        @Adam(epsilon = 1e-60) // <-
        interface Net {
          @Dense(units = 1)
          Layer out();
        }
        """);
  }

  /** Every double attribute the generated code uses as a float, just past the float range. */
  static List<org.junit.jupiter.params.provider.Arguments> valuesPastTheFloatRange() {
    return List.of(
        floatCase("@Adam(learningRate = 1e300) // <-", "@Adam learningRate = 1.0E300", "as a float it is Infinity"),
        floatCase("@Adam(beta2 = 0.99999999999) // <-", "@Adam beta2 = 0.99999999999", "as a float it is 1.0"),
        floatCase("@RmsProp(epsilon = 1e300) // <-", "@RmsProp epsilon = 1.0E300", "as a float it is Infinity"),
        floatCase("@AdamW(weightDecay = 1e39) // <-", "@AdamW weightDecay = 1.0E39", "as a float it is Infinity"),
        floatCase("@Network(input = 2, loss = Loss.BINARY_CROSSENTROPY, labelSmoothing = 0.999999999) // <-",
            "@Network labelSmoothing = 0.999999999", "as a float it is 1.0"),
        layerCase("@LayerNorm(epsilon = 1e-300) // <-", "@LayerNorm epsilon = 1.0E-300", "as a float it is 0.0"),
        layerCase("@BatchNorm(epsilon = 1e300) // <-", "@BatchNorm epsilon = 1.0E300", "as a float it is Infinity"),
        layerCase("@BatchNorm(momentum = 0.99999999999) // <-", "@BatchNorm momentum = 0.99999999999",
            "as a float it is 1.0"),
        layerCase("@Dropout(0.9999999999) // <-", "@Dropout rate = 0.9999999999", "as a float it is 1.0"),
        layerCase("@GaussianNoise(stddev = 1e300) // <-", "@GaussianNoise stddev = 1.0E300",
            "as a float it is Infinity"),
        layerCase("@Activation(value = LEAKY_RELU, alpha = 0.99999999999) // <-", "LEAKY_RELU alpha = 0.99999999999",
            "as a float it is 1.0"),
        layerCase("@Activation(value = ELU, alpha = 1e-50) // <-", "ELU alpha = 1.0E-50", "as a float it is 0.0"),
        layerCase("@Dense(units = 2, kernelL2 = 1e300) // <-", "@Dense kernelL2 = 1.0E300", "as a float it is Infinity"),
        layerCase("@Dense(units = 2, kernelL1 = 3.5e38) // <-", "@Dense kernelL1 = 3.5E38", "as a float it is Infinity"),
        layerCase("@Dense(units = 2, kernelInit = CONSTANT, kernelInitValue = -1e300) // <-",
            "@Dense kernelInitValue = -1.0E300", "as a float it is -Infinity"),
        layerCase("@Dense(units = 2, biasInit = CONSTANT, biasInitValue = 1e39) // <-", "@Dense biasInitValue = 1.0E39",
            "as a float it is Infinity"),
        softmaxCase("temperature = 1e-40) // <-", "softmax temperature = 1.0E-40",
            "its inverse 1/temperature, as a float, is Infinity"),
        softmaxCase("temperature = 1e300) // <-", "softmax temperature = 1.0E300",
            "its inverse 1/temperature, as a float, is 0.0"));
  }

  private static org.junit.jupiter.params.provider.Arguments floatCase(String annotation, String what, String as) {
    String body = (annotation.startsWith("@Network") ? annotation
        : "@Network(input = 2, loss = Loss.BINARY_CROSSENTROPY)\n" + annotation) + "\n"
        + "interface Net {\n  @Dense(units = 1, activation = SIGMOID)\n  Layer out();\n}\n";
    return org.junit.jupiter.params.provider.Arguments.of(what, as, body);
  }

  private static org.junit.jupiter.params.provider.Arguments layerCase(String annotation, String what, String as) {
    String body = "@Network(input = 2, loss = Loss.BINARY_CROSSENTROPY)\n"
        + "interface Net {\n  " + annotation + "\n  Layer hidden();\n\n"
        + "  @Dense(units = 1, activation = SIGMOID)\n  Layer out();\n}\n";
    return org.junit.jupiter.params.provider.Arguments.of(what, as, body);
  }

  private static org.junit.jupiter.params.provider.Arguments softmaxCase(String attribute, String what, String as) {
    String body = "@Network(input = 2, loss = Loss.CATEGORICAL_CROSSENTROPY)\n"
        + "interface Net {\n  @Dense(units = 3, activation = SOFTMAX,\n      " + attribute + "\n  Layer out();\n}\n";
    return org.junit.jupiter.params.provider.Arguments.of(what, as, body);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.MethodSource("valuesPastTheFloatRange")
  void valuesValidAsDoublesButNotAsFloatsAreLocatedErrors(String what, String as, String body) {
    expectError(Message.FLOAT_RANGE, what + " does not survive the generated code's float arithmetic: " + as, body);
  }

  @Test
  void valuesAtTheFloatLimitsCompile() {
    Compilation compilation = compile(source("test.Net", """
        @Network(input = 2, loss = Loss.BINARY_CROSSENTROPY, labelSmoothing = 0.99999994)
        @Adam(learningRate = 3.4028234e38, epsilon = 1.4e-45, beta2 = 0.99999994)
        interface Net {
          @LayerNorm(epsilon = 1.4e-45)
          Layer norm();

          @Dense(units = 2, kernelL2 = 3.4028234e38, kernelInit = CONSTANT, kernelInitValue = -3.4028234e38)
          Layer hidden();

          @Dense(units = 1, activation = SIGMOID)
          Layer out();
        }
        """));
    assertThat(compilation).succeeded();
    assertNoKilnWarnings(compilation);
    assertThat(compilation).generatedSourceFile("test.NetModel").contentsAsUtf8String()
        .contains("Optimizers.adam(TRAINABLE_PARAMETER_COUNT, 3.4028235E38f");
  }

  /**
   * Each size Kiln allocates, just past the largest array (2,147,483,639 values, HotSpot's limit and
   * the runtime's): a located error, never a wrapped number or a class that fails to construct.
   */
  static List<org.junit.jupiter.params.provider.Arguments> sizesPastTheLimit() {
    return List.of(
        org.junit.jupiter.params.provider.Arguments.of("@Network input: its shape (65536, 65536) would be 4,294,967,296 values", """
            @Network(
                input = {65536, 65536}, // <-
                maxBatch = 1, loss = Loss.MEAN_SQUARED_ERROR)
            interface Net {
              @Activation(RELU)
              Layer out();
            }
            """),
        org.junit.jupiter.params.provider.Arguments.of("@Network input: its shape (46341, 46341) would be 2,147,488,281 values", """
            @Network(
                input = {46341, 46341}, // <-
                maxBatch = 1, loss = Loss.MEAN_SQUARED_ERROR)
            interface Net {
              @Activation(RELU)
              Layer out();
            }
            """),
        org.junit.jupiter.params.provider.Arguments.of("@Network input: its shape (2147483640) would be 2,147,483,640 values", """
            @Network(
                input = 2147483640, // <-
                maxBatch = 1, loss = Loss.MEAN_SQUARED_ERROR)
            interface Net {
              @Activation(RELU)
              Layer out();
            }
            """),
        org.junit.jupiter.params.provider.Arguments.of("out(): its last axis would be 2,147,483,640 values", """
            @Network(maxBatch = 1, loss = Loss.MEAN_SQUARED_ERROR)
            interface Net {
              @Input({1, 1})
              Layer x();

              @Input({1, 2147483639})
              Layer y();

              @Concatenate // <-
              Layer out(Layer x, Layer y);
            }
            """),
        org.junit.jupiter.params.provider.Arguments.of(
            "@Network maxBatch 8: the buffer of input (306783377) for a full batch would be 2,454,267,016 values", """
            @Network(input = 306783377,
                maxBatch = 8, // <-
                loss = Loss.MEAN_SQUARED_ERROR)
            interface Net {
              @Activation(RELU)
              Layer out();
            }
            """),
        org.junit.jupiter.params.provider.Arguments.of(
            "out(): the network's parameters up to out.bias would be 2,454,267,016 values", """
            @Network(input = 7, maxBatch = 1, loss = Loss.MEAN_SQUARED_ERROR)
            interface Net {
              @Dense(units = 306783377) // <-
              Layer out();
            }
            """),
        org.junit.jupiter.params.provider.Arguments.of(
            "norm(): its statistics, 4 per feature, would be 2,147,483,640 values", """
            @Network(input = 536870910, maxBatch = 1, loss = Loss.MEAN_SQUARED_ERROR)
            interface Net {
              @BatchNorm // <-
              Layer norm();
            }
            """));
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.MethodSource("sizesPastTheLimit")
  void sizesPastTheLargestArrayAreLocatedErrors(String text, String body) {
    expectError(Message.SIZE_LIMIT, text + ", more than a Java array holds (2,147,483,639)", body);
  }

  /** The same sizes exactly at the limit compile (constructing them would take gigabytes). */
  static List<org.junit.jupiter.params.provider.Arguments> sizesAtTheLimit() {
    return List.of(
        org.junit.jupiter.params.provider.Arguments.of("INPUT_SIZE = 2147395600;", """
            @Network(input = {46340, 46340}, maxBatch = 1, loss = Loss.MEAN_SQUARED_ERROR)
            interface Net {
              @Activation(RELU)
              Layer out();
            }
            """),
        org.junit.jupiter.params.provider.Arguments.of("INPUT_SIZE = 2147483639;", """
            @Network(input = 2147483639, maxBatch = 1, loss = Loss.MEAN_SQUARED_ERROR)
            interface Net {
              @Activation(RELU)
              Layer out();
            }
            """),
        org.junit.jupiter.params.provider.Arguments.of("OUT_WIDTH = 2147483639;", """
            @Network(maxBatch = 1, loss = Loss.MEAN_SQUARED_ERROR)
            interface Net {
              @Input({1, 1})
              Layer x();

              @Input({1, 2147483638})
              Layer y();

              @Concatenate
              Layer out(Layer x, Layer y);
            }
            """),
        org.junit.jupiter.params.provider.Arguments.of("DEFAULT_MAX_BATCH = 7;", """
            @Network(input = 306783377, maxBatch = 7, loss = Loss.MEAN_SQUARED_ERROR)
            interface Net {
              @Activation(RELU)
              Layer out();
            }
            """),
        org.junit.jupiter.params.provider.Arguments.of("PARAMETER_COUNT = 2147483639;", """
            @Network(input = 7, maxBatch = 1, loss = Loss.MEAN_SQUARED_ERROR)
            interface Net {
              @Dense(units = 306783377, useBias = false)
              Layer out();
            }
            """),
        org.junit.jupiter.params.provider.Arguments.of("NORM_WIDTH = 536870909;", """
            @Network(input = 536870909, maxBatch = 1, loss = Loss.MEAN_SQUARED_ERROR)
            interface Net {
              @BatchNorm
              Layer norm();
            }
            """));
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.MethodSource("sizesAtTheLimit")
  void sizesAtTheLargestArrayCompile(String constant, String body) {
    Compilation compilation = compile(source("test.Net", body));
    assertThat(compilation).succeeded();
    assertThat(compilation).generatedSourceFile("test.NetModel").contentsAsUtf8String().contains(constant);
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
  @Covers(Message.RESHAPE_SIZE)
  void reshapeToAnotherSize() {
    expectError(Message.RESHAPE_SIZE,
        "@Reshape (28, 28, 1) holds 784 values, but image() gets (700) with 700; give a shape with the same number of values", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 700)
          Layer pixels();

          @Reshape({28, 28, 1}) // <-
          Layer image();
        }
        """);
  }

  @Test
  @Covers(Message.RESHAPE_DIMENSION)
  void reshapeWithAZeroDimension() {
    expectError(Message.RESHAPE_DIMENSION, "@Reshape needs a shape of dimensions > 0, was [4, 0]", """
        @Network(input = 2, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Dense(units = 4)
          Layer hidden();

          @Reshape({4, 0}) // <-
          Layer grid();

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
  @Covers(Message.SPATIAL_DROPOUT_RATE)
  void spatialDropoutRateOfOne() {
    expectError(Message.SPATIAL_DROPOUT_RATE,
        "@SpatialDropout2D drop() drops channels with probability in [0, 1), but its rate was 1.0; give a rate such "
            + "as 0.1 or 0.2 (1 would drop every channel)", """
        @Network(input = {4, 4, 2}, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @SpatialDropout2D(1.0) // <-
          Layer drop();
          @Flatten Layer flat();
          @Dense(units = 1) Layer out();
        }
        """);
  }

  @Test
  void spatialDropoutOnFlatInput() {
    expectError(Message.IMAGE_RANK,
        "@SpatialDropout2D works on images [height, width, channels], but drop() gets (16); give it a rank-3 "
            + "input, such as @Network(input = {28, 28, 1}), or an earlier image layer", """
        @Network(input = 16, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @SpatialDropout2D(0.2) // <-
          Layer drop();
          @Dense(units = 1) Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.AUGMENT_FACTOR)
  void translationFactorOutsideMinusOneToOne() {
    expectError(Message.AUGMENT_FACTOR,
        "@RandomTranslation shift() heightFactor must be one value f, for the range [-|f|, |f|], or two values "
            + "{lower, upper}, each a fraction of the image's height in [-1, 1], but was [1.5]; give, for "
            + "example, heightFactor = 0.1", """
        @Network(input = {8, 8, 1}, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @RandomTranslation(
              heightFactor = 1.5, // <-
              widthFactor = 0.1)
          Layer shift();
          @Flatten Layer flat();
          @Dense(units = 1) Layer out();
        }
        """);
  }

  @Test
  void zoomWidthFactorOfThreeValues() {
    expectError(Message.AUGMENT_FACTOR,
        "@RandomZoom zoom() widthFactor must be one value f, for the range [-|f|, |f|], or two values "
            + "{lower, upper}, each a fraction of the image's width in [-1, 1], but was [-0.1, 0.1, 0.2]; give, for "
            + "example, widthFactor = 0.1", """
        @Network(input = {8, 8, 1}, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @RandomZoom(heightFactor = 0.2,
              widthFactor = {-0.1, 0.1, 0.2}) // <-
          Layer zoom();
          @Flatten Layer flat();
          @Dense(units = 1) Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.AUGMENT_FILL_VALUE)
  void zoomFillValueNotFinite() {
    expectError(Message.AUGMENT_FILL_VALUE,
        "@RandomZoom zoom() fillValue must be finite, was NaN; give the value that fills outside the image, "
            + "such as 0", """
        @Network(input = {8, 8, 1}, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @RandomZoom(heightFactor = 0.2, fillMode = FillMode.CONSTANT,
              fillValue = Double.NaN) // <-
          Layer zoom();
          @Flatten Layer flat();
          @Dense(units = 1) Layer out();
        }
        """);
  }

  @Test
  void flipOnFlatInput() {
    expectError(Message.IMAGE_RANK,
        "@RandomFlip works on images [height, width, channels], but flip() gets (6, 4); give it a rank-3 "
            + "input, such as @Network(input = {28, 28, 1}), or an earlier image layer", """
        @Network(input = {6, 4}, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @RandomFlip // <-
          Layer flip();
          @Flatten Layer flat();
          @Dense(units = 1) Layer out();
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
  @Covers(Message.RECURRENT_UNITS)
  void lstmUnitsZero() {
    expectError(Message.RECURRENT_UNITS, "@LSTM units must be > 0, was 0", """
        @Network(input = {5, 3}, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @LSTM(units = 0) // <-
          Layer lstm();
        }
        """);
  }

  @Test
  @Covers(Message.RECURRENT_ACTIVATION)
  void gruWithASoftmaxGate() {
    expectError(Message.RECURRENT_ACTIVATION,
        "@GRU recurrentActivation must be TANH, SIGMOID, RELU or LINEAR (what the recurrent kernels implement), "
            + "was SOFTMAX", """
        @Network(input = {5, 3}, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @GRU(units = 4,
              recurrentActivation = SOFTMAX) // <-
          Layer gru();
        }
        """);
  }

  @Test
  @Covers(Message.RECURRENT_INPUT_RANK)
  void simpleRnnOnAFlatInput() {
    expectError(Message.RECURRENT_INPUT_RANK,
        "@SimpleRNN reads a sequence [time, features], but rnn() gets input (6); declare the input as "
            + "{steps, features}", """
        @Network(input = 6, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @SimpleRNN(units = 4) // <-
          Layer rnn();
        }
        """);
  }

  @Test
  @Covers(Message.EMBEDDING_DIM)
  void embeddingWithoutVocabulary() {
    expectError(Message.EMBEDDING_DIM, "@Embedding inputDim must be > 0, was 0", """
        @Network(input = 6, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Embedding(inputDim = 0, // <-
              outputDim = 4)
          Layer embed();
        }
        """);
  }

  @Test
  void recurrentLayersCompileWithoutWarnings() {
    JavaFileObject file = source("test.Net", """
        @Network(input = {5, 3}, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @LSTM(units = 4, returnSequences = true)
          Layer a();

          @GRU(units = 3, returnSequences = true, activation = RELU)
          Layer b();

          @SimpleRNN(units = 2)
          Layer c();
        }
        """);
    Compilation compilation = compile(file);
    assertThat(compilation).succeeded();
    assertWithMessage("warnings").that(messages(compilation.warnings())).isEmpty();
    assertThat(compilation).generatedSourceFile("test.NetModel").isNotNull();
  }

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



  // ------------------------------------------------------------------ convolution and pooling

  @Test
  @Covers(Message.CONV_FILTERS)
  void convFiltersZero() {
    expectError(Message.CONV_FILTERS, "@Conv2D filters must be > 0, was 0", """
        @Network(input = {8, 8, 1}, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Conv2D(
              kernelSize = 3,
              filters = 0) // <-
          Layer conv();
          @Flatten Layer flat();
          @Dense(units = 1) Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.WINDOW_VALUE)
  void convKernelSizeWithThreeValues() {
    expectError(Message.WINDOW_VALUE,
        "@Conv2D kernelSize must be one value or two values {height, width}, each > 0, was [3, 3, 3]", """
        @Network(input = {8, 8, 1}, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Conv2D(
              filters = 2,
              kernelSize = {3, 3, 3}) // <-
          Layer conv();
          @Flatten Layer flat();
          @Dense(units = 1) Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.CONV_REGULARIZER)
  void convRegularizerNegative() {
    expectError(Message.CONV_REGULARIZER, "@Conv2D kernelL2 must be >= 0 and finite, was -0.1", """
        @Network(input = {8, 8, 1}, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Conv2D(
              filters = 2, kernelSize = 3,
              kernelL2 = -0.1) // <-
          Layer conv();
          @Flatten Layer flat();
          @Dense(units = 1) Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.IMAGE_RANK)
  void poolOnFlatInput() {
    expectError(Message.IMAGE_RANK,
        "@MaxPool2D works on images [height, width, channels], but pool() gets (64); give it a rank-3 input, "
            + "such as @Network(input = {28, 28, 1}), or an earlier image layer", """
        @Network(input = 64, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @MaxPool2D // <-
          Layer pool();
          @Dense(units = 1) Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.CONV_KERNEL)
  void convKernelLargerThanInput() {
    expectError(Message.CONV_KERNEL,
        "@Conv2D conv() gets (4, 6, 3), but its kernel spans 5x5 (kernelSize 3, dilation 2), more than the 4x6 it "
            + "sees with padding VALID; use a smaller kernelSize or dilation, padding = SAME, or a larger input", """
        @Network(input = {4, 6, 3}, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Conv2D(
              filters = 2, dilation = 2,
              kernelSize = 3) // <-
          Layer conv();
          @Flatten Layer flat();
          @Dense(units = 1) Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.POOL_OUTPUT)
  void poolLeavesNothing() {
    expectError(Message.POOL_OUTPUT,
        "@AvgPool2D pool() gets (3, 8, 2), and a 4x2 window with strides 4x2 and padding VALID leaves an output of "
            + "0x4; use a smaller poolSize or strides, padding = SAME, or a larger input", """
        @Network(input = {3, 8, 2}, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @AvgPool2D(
              poolSize = {4, 2}) // <-
          Layer pool();
          @Flatten Layer flat();
          @Dense(units = 1) Layer out();
        }
        """);
  }

  @Test
  @Covers(Message.FLATTEN_RANK)
  void flattenOnFlatInput() {
    expectError(Message.FLATTEN_RANK,
        "@Flatten needs an input of rank 2 or more, but flat() gets (10), which is already flat; remove the "
            + "@Flatten", """
        @Network(input = 10, loss = Loss.MEAN_SQUARED_ERROR)
        interface Net {
          @Flatten // <-
          Layer flat();
          @Dense(units = 1) Layer out();
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
