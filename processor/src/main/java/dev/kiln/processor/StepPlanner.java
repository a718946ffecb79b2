package dev.kiln.processor;

import dev.kiln.processor.model.LayerPlan;
import dev.kiln.processor.model.LayerPlan.TensorPlan;
import dev.kiln.processor.model.NetworkPlan;
import dev.kiln.processor.model.NetworkSpec;
import dev.kiln.processor.model.StepRule;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic;

/**
 * Decides whether a recurrent network can run one time step at a time, and plans its step program.
 * Every input's leading axis is its time axis. Following the layers' {@link StepRule}s, a node's
 * output keeps the time axis through per-position layers and recurrent layers returning sequences,
 * and loses it at a recurrent layer returning its last step; after that, layers may mix positions.
 * The step program is the network planned for sequences of length 1, with the parameters of the
 * whole-sequence plan (checked tensor by tensor).
 */
final class StepPlanner {
  /** The outcome: a step plan, or why there is none; both null for a network without recurrent layers. */
  record Outcome(NetworkPlan stepPlan, String refusal) {
    static final Outcome NOT_RECURRENT = new Outcome(null, null);
  }

  private StepPlanner() {}

  static Outcome plan(NetworkSpec spec, NetworkPlan whole) {
    // By identity: a LayerPlan record's hashCode walks all its ancestors (exponential in a graph).
    Map<LayerPlan, Boolean> timed = new IdentityHashMap<>();
    boolean recurrent = false;
    String refusal = null;
    for (LayerPlan node : whole.nodes()) {
      if (node.isInput()) {
        timed.put(node, true);
        continue;
      }
      StepRule rule = node.spec().stepRule();
      boolean anyTimed = false;
      boolean allTimed = true;
      LayerPlan untimedInput = null;
      for (LayerPlan in : node.inputs()) {
        anyTimed |= timed.get(in);
        allTimed &= timed.get(in);
        if (!timed.get(in)) {
          untimedInput = in;
        }
      }
      String layer = node.spec().typeName() + " " + node.name();
      switch (rule) {
        case PER_POSITION:
          if (anyTimed && !allTimed && refusal == null) {
            refusal = layer + " reads inputs with and without a time axis";
          }
          timed.put(node, anyTimed);
          break;
        case SEQUENCE:
        case LAST_STEP:
          recurrent = true;
          if (!allTimed && refusal == null) {
            refusal = layer + " reads " + untimedInput.name() + ", which has no time axis (a recurrent layer"
                + " returning its last step came before)";
          }
          timed.put(node, rule == StepRule.SEQUENCE);
          break;
        default:
          if (anyTimed && refusal == null) {
            refusal = layer + " mixes the time steps of its input " + node.inputs().get(0).outputShape()
                + " (only layers after the last recurrent layer, once it returns its last step, may mix positions)";
          }
          timed.put(node, false);
      }
    }
    if (!recurrent) {
      return Outcome.NOT_RECURRENT;
    }
    if (refusal != null) {
      return new Outcome(null, refusal);
    }
    Diagnostics silent = new Diagnostics(SILENT);
    NetworkPlan step = new Planner(silent).planStep(spec);
    if (step == null || silent.errorCount() > 0) {
      return new Outcome(null, "its layers do not fit a sequence of one time step");
    }
    for (int i = 0; i < whole.nodes().size(); i++) {
      List<TensorPlan> a = whole.nodes().get(i).tensors();
      List<TensorPlan> b = step.nodes().get(i).tensors();
      boolean same = a.size() == b.size();
      for (int t = 0; same && t < a.size(); t++) {
        same = a.get(t).offset() == b.get(t).offset()
            && a.get(t).parameter().savedShape().equals(b.get(t).parameter().savedShape());
      }
      if (!same) {
        LayerPlan node = whole.nodes().get(i);
        return new Outcome(null, node.spec().typeName() + " " + node.name() + "'s parameters depend on the"
            + " sequence length (an input's leading axis is not a time axis there)");
      }
    }
    return new Outcome(step, null);
  }

  /** The step plan's diagnostics: the whole plan was already checked and reported. */
  private static final Messager SILENT = new Messager() {
    @Override
    public void printMessage(Diagnostic.Kind kind, CharSequence msg) {}

    @Override
    public void printMessage(Diagnostic.Kind kind, CharSequence msg, Element e) {}

    @Override
    public void printMessage(Diagnostic.Kind kind, CharSequence msg, Element e, AnnotationMirror a) {}

    @Override
    public void printMessage(Diagnostic.Kind kind, CharSequence msg, Element e, AnnotationMirror a,
        AnnotationValue v) {}
  };
}
