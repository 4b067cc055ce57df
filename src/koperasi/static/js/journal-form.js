/* Manual journal form: live debit/credit totals, a submit button enabled only when the entry
 * balances with at least two filled lines, and "Tambah baris" without a round trip.
 * Without JavaScript the form still works: the server checks the balance and the
 * "Tambah baris" button re-renders the form with one more row. */
(function () {
  "use strict";

  // "1.250.000", "Rp 1250000" -> 1250000; "" -> 0; anything else -> NaN (same rule as the server).
  function parseRupiah(text) {
    var value = (text || "").trim();
    if (value.slice(0, 2).toLowerCase() === "rp") value = value.slice(2);
    value = value.replace(/[\s\u00a0]/g, "");
    if (value === "") return 0;
    if (/^\d+$/.test(value)) return Number(value);
    if (/^\d{1,3}(\.\d{3})+$/.test(value)) return Number(value.replace(/\./g, ""));
    return NaN;
  }

  function formatRupiah(amount) {
    var sign = amount < 0 ? "-" : "";
    var digits = String(Math.abs(amount));
    return sign + "Rp " + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function setup(form) {
    var rows = form.querySelector("[data-journal-rows]");
    var template = form.querySelector("template[data-journal-empty]");
    var addButton = form.querySelector("[data-journal-add]");
    var summary = form.querySelector("[data-journal-summary]");
    var submit = form.querySelector("[data-journal-submit]");
    var total = form.querySelector("input[name$='-TOTAL_FORMS']");
    var maxRows = form.querySelector("input[name$='-MAX_NUM_FORMS']");

    function update() {
      var debit = 0, credit = 0, filled = 0, invalid = false;
      rows.querySelectorAll("[data-journal-row]").forEach(function (row) {
        var account = row.querySelector("[data-account]");
        var d = parseRupiah(row.querySelector("[data-amount=debit]").value);
        var c = parseRupiah(row.querySelector("[data-amount=credit]").value);
        row.querySelectorAll("[data-amount]").forEach(function (input) {
          var bad = isNaN(parseRupiah(input.value));
          if (bad) input.setAttribute("aria-invalid", "true");
          else if (input.getAttribute("aria-invalid") === "true" && !input.dataset.serverError) input.removeAttribute("aria-invalid");
          invalid = invalid || bad;
        });
        if (isNaN(d) || isNaN(c)) return;
        debit += d;
        credit += c;
        if (account && account.value && (d > 0) !== (c > 0)) filled += 1;
      });
      var diff = Math.abs(debit - credit);
      var text = summary.dataset.template
        .replace("%(debit)s", formatRupiah(debit))
        .replace("%(credit)s", formatRupiah(credit))
        .replace("%(diff)s", formatRupiah(diff));
      var ok = !invalid && filled >= 2 && debit > 0 && debit === credit;
      if (filled < 2) text += ". " + summary.dataset.fewLines;
      summary.textContent = text;
      summary.classList.toggle("balanced", ok);
      summary.classList.toggle("unbalanced", !ok);
      submit.disabled = !ok;
    }

    function addRow(event) {
      if (!template || !total) return; // let the no-JS fallback (a submit) do it
      event.preventDefault();
      var index = Number(total.value);
      if (maxRows && index >= Number(maxRows.value)) return;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("tbody");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var select = row.querySelector("select");
      if (select) select.focus();
      update();
    }

    form.querySelectorAll("[aria-invalid=true]").forEach(function (input) { input.dataset.serverError = "1"; });
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("keydown", function (event) {
      // Enter in a field would "click" the first submit button (Tambah baris): keep typing instead.
      if (event.key === "Enter" && event.target.tagName === "INPUT") event.preventDefault();
    });
    if (addButton) addButton.addEventListener("click", addRow);
    form.addEventListener("submit", function (event) {
      if (event.submitter === submit && submit.disabled) event.preventDefault();
      else if (event.submitter === submit) window.setTimeout(function () { submit.disabled = true; }, 0);
    });
    window.addEventListener("pageshow", update); // back button: bfcache may keep the button disabled
    update();
  }

  function init() {
    document.querySelectorAll("form[data-journal-form]").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
