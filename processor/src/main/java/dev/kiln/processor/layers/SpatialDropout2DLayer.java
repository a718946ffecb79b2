package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.annotations.SpatialDropout2D;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;
import dev.kiln.processor.emit.Buffer;
import dev.kiln.processor.emit.LayerContext;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.emit.RuntimeNames;
import dev.kiln.processor.model.FloatRule;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.List;

/**
 * {@code @SpatialDropout2D}: drops whole channels of an image per sample in training (Keras's
 * SpatialDropout2D, PyTorch's Dropout2d), mask from the model's noise stream; identity at inference.
 */
public record SpatialDropout2DLayer(String name, Site site, List<String> inputs, double rate) implements LayerSpec {
  public SpatialDropout2DLayer {
    inputs = List.copyOf(inputs);
  }

  static SpatialDropout2DLayer read(LayerDeclaration d) {
    return new SpatialDropout2DLayer(d.name(), d.site(), d.inputs(), d.annotation(SpatialDropout2D.class).value());
  }

  @Override
  public String typeName() {
    return "SpatialDropout2D";
  }

  @Override
  public void check(Diagnostics diagnostics) {
    FloatRule.UNIT.check(diagnostics, site, "value", "@SpatialDropout2D rate", rate, Message.SPATIAL_DROPOUT_RATE,
        name, rate);
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    return Windows.image(site, "SpatialDropout2D", name, in, diagnostics);
  }

  @Override
  public LayerEmitter emitter() {
    return new TrainingNoiseEmitter() {
      @Override
      String storageRole() {
        return "Kept";
      }

      @Override
      List<Buffer> extraBuffers(LayerContext layer) {
        return List.of(Buffer.gradient(layer.member("Mask"), layer.features()));
      }

      @Override
      CodeBlock trainingForward(LayerContext layer, String storage) {
        return CodeBlock.of("$T.spatialDropout(n, $L, $L, $Lf, noise, $L, 0, $L, 0, $L, 0);\n", RuntimeNames.NOISE,
            layer.positions(), layer.features(), (float) rate, layer.in(0), storage, layer.member("Mask"));
      }

      @Override
      CodeBlock backward(LayerContext layer, String target) {
        return CodeBlock.of("$T.spatialDropoutBackward(n, $L, $L, $L, 0, $L, 0, $L, 0);\n", RuntimeNames.NOISE,
            layer.positions(), layer.features(), layer.grad(), layer.member("Mask"), target);
      }
    };
  }

  /** Inference passes values through (or moves them): the input's zeros stay. */
  @Override
  public boolean outputHasZeros(List<Boolean> inputsHaveZeros) {
    return inputsHaveZeros.get(0);
  }
}
