package dev.kiln.processor.layers;

import dev.kiln.processor.model.StepRule;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.annotations.Dropout;
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

/** {@code @Dropout}: inverted dropout in training (mask from the model's noise stream), identity at inference. */
public record DropoutLayer(String name, Site site, List<String> inputs, double rate) implements LayerSpec {
  @Override
  public StepRule stepRule() {
    return StepRule.PER_POSITION; // a step runs at inference: the identity
  }

  public DropoutLayer {
    inputs = List.copyOf(inputs);
  }

  static DropoutLayer read(LayerDeclaration d) {
    return new DropoutLayer(d.name(), d.site(), d.inputs(), d.annotation(Dropout.class).value());
  }

  @Override
  public String typeName() {
    return "Dropout";
  }

  @Override
  public void check(Diagnostics diagnostics) {
    FloatRule.UNIT.check(diagnostics, site, "value", "@Dropout rate", rate, Message.DROPOUT_RATE, rate);
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    return in.get(0);
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
        return List.of(Buffer.gradient(layer.member("Mask"), layer.width()));
      }

      @Override
      CodeBlock trainingForward(LayerContext layer, String storage) {
        return CodeBlock.of("$T.dropout(n * $L, $Lf, noise, $L, 0, $L, 0, $L, 0);\n", RuntimeNames.NOISE,
            layer.width(), (float) rate, layer.in(0), storage, layer.member("Mask"));
      }

      @Override
      CodeBlock backward(LayerContext layer, String target) {
        return CodeBlock.of("$T.multiply(n * $L, $L, 0, $L, 0, $L, 0);\n", RuntimeNames.NOISE, layer.width(),
            layer.grad(), layer.member("Mask"), target);
      }
    };
  }

  /** Inference passes values through (or moves them): the input's zeros stay. */
  @Override
  public boolean outputHasZeros(List<Boolean> inputsHaveZeros) {
    return inputsHaveZeros.get(0);
  }
}
