package dev.kiln.processor.layers;

import dev.kiln.processor.model.StepRule;

import com.palantir.javapoet.CodeBlock;
import dev.kiln.annotations.Activation;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.emit.ActivationCalls;
import dev.kiln.processor.emit.LayerContext;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.model.ActivationSpec;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.List;

/** {@code @Activation}: y = f(x), no parameters. */
public record ActivationLayer(String name, Site site, List<String> inputs, ActivationSpec activation)
    implements LayerSpec {
  @Override
  public StepRule stepRule() {
    return StepRule.PER_POSITION; // element-wise; softmax over the last axis
  }

  public ActivationLayer {
    inputs = List.copyOf(inputs);
  }

  static ActivationLayer read(LayerDeclaration d) {
    Activation a = d.annotation(Activation.class);
    return new ActivationLayer(d.name(), d.site(), d.inputs(), ActivationSpec.of(a.value(), a.alpha(), a.temperature()));
  }

  @Override
  public String typeName() {
    return "Activation";
  }

  @Override
  public boolean activatesInput() {
    return true;
  }

  @Override
  public void check(Diagnostics diagnostics) {
    activation.check(site, diagnostics);
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    return in.get(0);
  }

  @Override
  public LayerEmitter emitter() {
    return new LayerEmitter() {
      @Override
      public CodeBlock forward(LayerContext layer) {
        return ActivationCalls.forward(activation, layer.rows(), layer.features(), layer.in(0), layer.out());
      }

      @Override
      public CodeBlock backward(LayerContext layer) {
        CodeBlock derivative = layer.inputGradient(0, target -> ActivationCalls.backward(activation, layer.rows(),
            layer.features(), layer.in(0), layer.out(), layer.grad(), target));
        if (!layer.lossFused()) {
          return derivative;
        }
        return CodeBlock.builder()
            .add("// From the loss: the loss wrote the logits gradient into $L. From a given output gradient: apply the derivative.\n",
                layer.inputGradientArgument(0))
            .beginControlFlow("if (!lossGradient)")
            .add(derivative)
            .endControlFlow()
            .build();
      }

      @Override
      public String[] fusedLogits(LayerContext layer) {
        return new String[] {layer.in(0), layer.inputGradientArgument(0)};
      }
    };
  }
}
