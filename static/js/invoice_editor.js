// The invoice editor: add and remove line and discount/charge rows, and the totals as the user types.
//
// Amounts are exact. Every number is parsed into a BigInt count of units at its own scale ("12.5" is
// 125 tenths), never a float, and rounded half up (away from zero) to the currency's minor unit at the
// very steps invoices/issuing/calc.py rounds: each line's quantity × unit price, each discount, and the
// tax of each category on its summed base. So the figures shown are the ones the server will store.
// Without JavaScript the form still posts; the server computes the totals after saving.
(() => {
  "use strict";

  const form = document.querySelector("form[data-invoice-editor]");
  if (!form) return;
  const minorUnits = JSON.parse(form.dataset.minorUnits || "{}");
  const zeroRate = new Set((form.dataset.zeroRate || "").split(" ").filter(Boolean));
  const NOT_SUBJECT = "O";
  const INVALID = Symbol("invalid");

  // "12.50" → { units: 1250n, scale: 2 }; "" → null; anything else that is not a plain decimal → INVALID.
  function parse(text) {
    const value = String(text ?? "").trim();
    if (value === "") return null;
    const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(value);
    if (!match || (match[2] === "" && !match[3])) return INVALID;
    const fraction = match[3] || "";
    const units = BigInt((match[2] || "0") + fraction);
    return { units: match[1] === "-" ? -units : units, scale: fraction.length };
  }

  const TEN = 10n;
  const pow10 = (n) => TEN ** BigInt(n);

  // The number at `scale` decimals, rounded half up (away from zero) when decimals are dropped.
  function rescale(number, scale) {
    if (scale >= number.scale) return { units: number.units * pow10(scale - number.scale), scale };
    const divisor = pow10(number.scale - scale);
    const negative = number.units < 0n;
    const magnitude = negative ? -number.units : number.units;
    let quotient = magnitude / divisor;
    if ((magnitude % divisor) * 2n >= divisor) quotient += 1n;
    return { units: negative ? -quotient : quotient, scale };
  }

  const multiply = (a, b) => ({ units: a.units * b.units, scale: a.scale + b.scale });

  function format(units, scale) {
    const negative = units < 0n;
    let digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
    if (scale > 0) digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    return (negative ? "−" : "") + digits;
  }

  // An amount as the page writes amounts: the viewer's grouping and decimal mark (1,234.50 / 1.234,50).
  const numberParts = new Intl.NumberFormat(document.body.dataset.numberLocale || "en").formatToParts(1234.5);
  const groupMark = (numberParts.find((part) => part.type === "group") || { value: "," }).value;
  const decimalMark = (numberParts.find((part) => part.type === "decimal") || { value: "." }).value;

  function display(units, scale) {
    const plain = format(units, scale);
    const negative = plain.startsWith("−");
    const [whole, fraction] = (negative ? plain.slice(1) : plain).split(".");
    const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, groupMark);
    return (negative ? "−" : "") + grouped + (fraction === undefined ? "" : decimalMark + fraction);
  }

  // A rate without trailing zeros, so 19, 19.0 and 19.00 are one tax category as they are in Python.
  function rateKey(rate) {
    if (rate === null) return "";
    let { units, scale } = rate;
    while (scale > 0 && units % TEN === 0n) {
      units /= TEN;
      scale -= 1;
    }
    return format(units, scale).replace("−", "-");
  }

  function minorUnit() {
    const field = form.querySelector("[name=currency]");
    const code = (field ? field.value : "").trim().toUpperCase();
    return code in minorUnits ? minorUnits[code] : 2;
  }

  const field = (row, name) => row.querySelector(`[name$="-${name}"]`);
  const value = (row, name) => (field(row, name) ? field(row, name).value : "");

  // The rate a category carries: none for O, 0 for the zero-rate categories, the given one otherwise.
  function effectiveRate(category, rate) {
    if (category === NOT_SUBJECT) return null;
    if (zeroRate.has(category)) return { units: 0n, scale: 0 };
    return rate;
  }

  function compute() {
    const places = minorUnit();
    const money = (number) => rescale(number, places).units;
    const groups = new Map();
    let incomplete = false;
    let lineTotal = 0n;
    let allowanceTotal = 0n;
    let chargeTotal = 0n;

    function addToGroup(category, rate, amount) {
      const key = `${category}|${rateKey(rate)}`;
      const group = groups.get(key) || { category, rate, base: 0n };
      group.base += amount;
      groups.set(key, group);
    }

    for (const row of form.querySelectorAll("[data-rows=lines] [data-row]")) {
      const output = row.querySelector("[data-net]");
      const description = value(row, "description").trim();
      const quantity = parse(value(row, "quantity"));
      const price = parse(value(row, "unit_price"));
      const discount = parse(value(row, "discount_amount"));
      const category = value(row, "tax_category");
      const rate = parse(value(row, "tax_rate"));
      if (!description && price === null) {
        output.textContent = "—";
        continue;
      }
      if ([quantity, price, discount, rate].includes(INVALID) || quantity === null || price === null) {
        output.textContent = "—";
        incomplete = true;
        continue;
      }
      const net = money(multiply(quantity, price)) - (discount ? money(discount) : 0n);
      output.textContent = display(net, places);
      lineTotal += net;
      const effective = effectiveRate(category, rate);
      if (category !== NOT_SUBJECT && effective === null) incomplete = true; // a standard rate still to type
      addToGroup(category, effective, net);
    }

    for (const row of form.querySelectorAll("[data-rows=items] [data-row]")) {
      const amount = parse(value(row, "amount"));
      const rate = parse(value(row, "tax_rate"));
      if (amount === null) continue;
      if (amount === INVALID || rate === INVALID) {
        incomplete = true;
        continue;
      }
      const rounded = money(amount);
      const isCharge = value(row, "kind") === "charge";
      if (isCharge) chargeTotal += rounded;
      else allowanceTotal += rounded;
      const category = value(row, "tax_category");
      addToGroup(category, effectiveRate(category, rate), isCharge ? rounded : -rounded);
    }

    let taxTotal = 0n;
    const taxes = [...groups.values()].map((group) => {
      // base × rate / 100: the rate's scale plus two more decimals, then rounded once, per category.
      const tax = group.rate
        ? rescale({ units: group.base * group.rate.units, scale: places + group.rate.scale + 2 }, places).units
        : 0n;
      taxTotal += tax;
      return { ...group, tax };
    });
    const subtotal = lineTotal - allowanceTotal + chargeTotal;
    show(places, { lineTotal, allowanceTotal, chargeTotal, subtotal, taxTotal, total: subtotal + taxTotal }, taxes, incomplete);
  }

  function show(places, totals, taxes, incomplete) {
    const set = (id, amount) => {
      const element = document.getElementById(id);
      if (element) element.textContent = incomplete ? "—" : display(amount, places);
    };
    set("live-line-total", totals.lineTotal);
    set("live-allowance-total", totals.allowanceTotal);
    set("live-charge-total", totals.chargeTotal);
    set("live-subtotal", totals.subtotal);
    set("live-tax-total", totals.taxTotal);
    set("live-total", totals.total);
    const hint = form.querySelector("[data-totals-hint]");
    if (hint) {
      hint.textContent = incomplete
        ? "Complete each line (quantity, unit price, and a rate for standard-rated lines) to see the totals."
        : "Worked out as you type; saved figures are computed again on the server.";
    }
    const body = document.getElementById("live-taxes");
    if (!body) return;
    body.replaceChildren(
      ...taxes.map((tax) => {
        const row = document.createElement("tr");
        row.dataset.category = tax.category;
        row.dataset.rate = rateKey(tax.rate);
        const cells = [
          tax.category,
          tax.rate ? `${rateKey(tax.rate)}%` : "—",
          display(tax.base, places),
          incomplete ? "—" : display(tax.tax, places),
        ];
        cells.forEach((text, index) => {
          const cell = document.createElement("td");
          cell.textContent = text;
          if (index > 0) cell.className = "num";
          row.append(cell);
        });
        return row;
      }),
    );
  }

  // Rows: a new row is the formset's empty form with its index; after a removal the rows are numbered
  // again from 0 so the formset reads them all.
  function renumber(prefix) {
    const rows = form.querySelectorAll(`[data-rows=${prefix}] [data-row]`);
    const pattern = new RegExp(`^(id_)?${prefix}-\\d+-`);
    rows.forEach((row, index) => {
      for (const element of row.querySelectorAll("[name], [id], [for], [data-error-for]")) {
        for (const attribute of ["name", "id", "for", "data-error-for"]) {
          const current = element.getAttribute(attribute);
          if (current && pattern.test(current)) {
            element.setAttribute(attribute, current.replace(pattern, (_, id) => `${id || ""}${prefix}-${index}-`));
          }
        }
      }
    });
    form.querySelector(`[name=${prefix}-TOTAL_FORMS]`).value = String(rows.length);
    form.querySelector(`[name=${prefix}-INITIAL_FORMS]`).value = "0";
  }

  function addRow(prefix) {
    const template = document.getElementById(`${prefix}-template`);
    const total = form.querySelector(`[name=${prefix}-TOTAL_FORMS]`);
    const index = Number(total.value);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    const holder = document.createElement("div");
    holder.innerHTML = html.trim();
    const row = holder.firstElementChild;
    form.querySelector(`[data-rows=${prefix}]`).append(row);
    total.value = String(index + 1);
    const first = row.querySelector("input, select");
    if (first) first.focus();
    compute();
  }

  // Categories with a fixed rate fill it in: 0 for Z, E, AE, K, G; none for O.
  function categoryChanged(select) {
    const row = select.closest("[data-row]");
    const rate = row && field(row, "tax_rate");
    if (!rate) return;
    if (zeroRate.has(select.value)) rate.value = "0";
    else if (select.value === NOT_SUBJECT) rate.value = "";
    else if (rate.value.trim() === "0") rate.value = "";
    rate.readOnly = zeroRate.has(select.value) || select.value === NOT_SUBJECT;
  }

  form.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault();
      addRow(add.dataset.addRow);
      return;
    }
    const remove = event.target.closest("[data-remove-row]");
    if (remove) {
      event.preventDefault();
      const container = remove.closest("[data-rows]");
      remove.closest("[data-row]").remove();
      renumber(container.dataset.rows);
      compute();
    }
  });
  form.addEventListener("input", compute);
  form.addEventListener("change", (event) => {
    if (event.target.matches("[name$=-tax_category]")) categoryChanged(event.target);
    compute();
  });
  for (const select of form.querySelectorAll("[data-rows] [name$=-tax_category]")) categoryChanged(select);
  compute();
})();
