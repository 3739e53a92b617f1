/* Self-check questions (hooks/selfcheck.py writes the forms). On submit: right or wrong, the reason
   a wrong answer is wrong (the answer box's own words, marked data-why), then the answer box opens.
   At start-up this file only adds one listener. */
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.classList || !form.classList.contains("selfcheck")) return;
  event.preventDefault();
  var d = form.dataset, out = form.querySelector(".selfcheck__feedback");
  var box = document.getElementById(d.box), number = d.kind === "number", picked;
  function same(a, b) {  // a number matches to the last decimal the author wrote
    if (!number) return a === b;
    var x = +a.replace(/,/g, ""), y = b.replace(/,/g, ""), places = (y.split(".")[1] || "").length;
    return Math.abs(x - +y) <= 0.5 * Math.pow(10, -places) * (1 + 1e-9);
  }
  function say(template) {
    return template.replace("{picked}", picked).replace("{answer}", d.answer);
  }
  if (number) {
    picked = form.querySelector("input").value.replace(/[\s_，]/g, "").replace(/[−–]/g, "-");
    if (!picked || isNaN(+picked.replace(/,/g, ""))) picked = "";
  } else {
    var checked = form.querySelector("input:checked");
    picked = checked ? checked.value : "";
  }
  if (!picked) {
    out.textContent = number ? d.emptyNumber : d.empty;
    return;
  }
  var right = same(picked, d.answer), lines = [say(right ? d.right : d.wrong)], reasons = [];
  box.querySelectorAll("[data-why]").forEach(function (span) {
    var hit = !right && span.getAttribute("data-why").split(" ").some(function (k) { return same(picked, k); });
    span.classList.toggle("selfcheck__why", hit);
    if (hit) reasons.push(span);
  });
  form.querySelectorAll("label").forEach(function (label) {
    var input = label.querySelector("input[type=radio]");
    label.classList.toggle("selfcheck__right", !!input && input.value === d.answer);
    label.classList.toggle("selfcheck__wrong", !!input && !right && input.checked);
  });
  out.textContent = "";
  var p = document.createElement("span");
  p.className = right ? "selfcheck__verdict selfcheck__verdict--right" : "selfcheck__verdict selfcheck__verdict--wrong";
  p.textContent = lines[0];
  out.appendChild(p);
  if (reasons.length) {
    var why = document.createElement("span");
    why.className = "selfcheck__reason";
    why.appendChild(document.createTextNode(say(d.reason)));
    reasons.forEach(function (span, i) {
      if (i) why.appendChild(document.createTextNode(" … "));
      Array.prototype.forEach.call(span.childNodes, function (node) { why.appendChild(node.cloneNode(true)); });
    });
    out.appendChild(why);
  }
  var open = document.createElement("span");
  open.textContent = d.open;
  out.appendChild(open);
  box.open = true;
});
