package dev.kiln.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Which Dense layers read their input as one that often holds zeros (LayerSpec.outputHasZeros), so
 * that a sample alone skips the weight rows of its zero inputs: over the network input, a ReLU's
 * output, and what dropout, flattening, max pooling or concatenation make of one; not over a tanh,
 * a linear layer, batch norm, average pooling or a sum.
 */
class ZeroInputProductsTest {

  @Test
  void denseLayersSkipZeroInputsWhereTheirInputOftenHasThem() throws IOException {
    Compilation compilation = Compiler.javac().withProcessors(new KilnProcessor()).compile(
        JavaFileObjects.forSourceString("test.Net", """
            package test;
            import static dev.kiln.annotations.ActivationFunction.*;
            import dev.kiln.annotations.*;
            import dev.kiln.runtime.Layer;

            @Network(input = {8, 8, 1}, loss = Loss.CATEGORICAL_CROSSENTROPY)
            interface Net {
              @Conv2D(filters = 2, kernelSize = 3, padding = Padding.SAME, activation = RELU)
              Layer conv();

              @MaxPool2D(poolSize = 2)
              Layer maxPooled(Layer conv);

              @Flatten
              Layer maxFlat(Layer maxPooled);

              @AvgPool2D(poolSize = 2)
              Layer averaged(Layer conv);

              @Flatten
              Layer avgFlat(Layer averaged);

              @Flatten
              Layer pixels(Layer input);

              @Dense(units = 6)
              Layer fromPixels(Layer pixels);

              @Dense(units = 6)
              Layer fromMaxPool(Layer maxFlat);

              @Dense(units = 6)
              Layer fromAvgPool(Layer avgFlat);

              @Dense(units = 6, activation = TANH)
              Layer squashed(Layer fromPixels);

              @Dense(units = 6, activation = RELU)
              Layer rectified(Layer squashed);

              @Dropout(0.2)
              Layer dropped(Layer rectified);

              @Dense(units = 6)
              Layer fromDropout(Layer dropped);

              @Dense(units = 6)
              Layer fromTanh(Layer squashed);

              @Activation(RELU)
              Layer relu(Layer fromTanh);

              @Dense(units = 6)
              Layer fromRelu(Layer relu);

              @BatchNorm
              Layer normalized(Layer relu);

              @Dense(units = 6)
              Layer fromBatchNorm(Layer normalized);

              @Add
              Layer sum(Layer fromRelu, Layer fromDropout);

              @Dense(units = 6)
              Layer fromSum(Layer sum);

              @Concatenate
              Layer joined(Layer fromSum, Layer relu, Layer fromMaxPool, Layer fromAvgPool, Layer fromBatchNorm);

              @Dense(units = 3, activation = SOFTMAX)
              Layer output(Layer joined);
            }
            """));
    assertThat(compilation).succeeded();
    String source = compilation.generatedSourceFile("test.NetModel").orElseThrow().getCharContent(true).toString();
    Map<String, Boolean> skips = new LinkedHashMap<>();
    Matcher call = Pattern.compile("(denseProduct(?:SkippingZeroInputs)?)\\(n, (\\w+)_WIDTH,").matcher(source);
    while (call.find()) {
      skips.put(call.group(2), call.group(1).endsWith("SkippingZeroInputs"));
    }
    Map<String, Boolean> expected = new LinkedHashMap<>();
    expected.put("FROM_PIXELS", true);
    expected.put("FROM_MAX_POOL", true);
    expected.put("FROM_AVG_POOL", false);
    expected.put("SQUASHED", false);
    expected.put("RECTIFIED", false);
    expected.put("FROM_DROPOUT", true);
    expected.put("FROM_TANH", false);
    expected.put("FROM_RELU", true);
    expected.put("FROM_BATCH_NORM", false);
    expected.put("FROM_SUM", false);
    expected.put("OUTPUT", true);
    assertEquals(expected, skips);
  }
}
