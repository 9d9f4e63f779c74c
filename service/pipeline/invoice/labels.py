"""The printed labels that name each field, and the words that name a payment method."""

from __future__ import annotations

# (pattern, may the label sit inside a longer phrase?) in order of preference.
LABELS: dict[str, list[tuple[str, bool]]] = {
    "number": [
        (r"rechnungs-?\s?(?:nummer|nr\.?)", True),
        (
            r"[\w-]*(?:rechnung|gutschrift)\S*(?:\s+(?!gem|bestell|auftrag|order|liefer)\S+){0,3}?"
            r"\s+(?:nr\.?|nummer|no\.?|#)",
            True,
        ),
        (r"gutschrifts?-?\s?(?:nummer|nr\.?)", True),
        (r"(?:n[°ºo]|num[ée]ro)\s*(?:de\s+(?:la\s+)?)?(?:facture|l'avoir|d'avoir|avoir)", True),
        (r"(?:facture|avoir)\s+(?:n[°ºo]\.?|num[ée]ro)", True),
        (r"factuur\s?(?:nummer|nr\.?|no\.?)", True),
        (r"creditnota\s?(?:nummer|nr\.?)", True),
        (r"(?:n[úu]mero\s+de\s+)?factura\s+(?:n\.?[º°o]?\.?|n[úu]m\.?)|n[úu]mero\s+de\s+factura",
         True),
        (r"fattura\s+(?:n\.?[º°o]?\.?|num\.?)|numero\s+(?:di\s+)?fattura", True),
        (r"credit\s+note\s+(?:number|no\.?|#)", True),
        (r"re\.?-?\s?nr\.?", False),
        (r"beleg-?\s?(?:nummer|nr\.?)", False),
        (r"invoice\s+(?:number|no\.?|nr\.?|#|num\.?)", True),
        (r"invoice\s?#", True),
        (r"invoice[\s-]?id", True),
        (r"inv\.?\s?(?:no\.?|#)", False),
        (r"invoice\s+ref(?:erence)?\.?", False),
        (r"(?:nummer|number|nr\.?|no\.?)", False),
        # a title followed by the number: 'Avoir AV-2017-0005', 'INVOICE 2024-117'
        (r"(?:rechnung|invoice|facture|factuur|avoir|gutschrift|credit\s+note)", False),
        (r"(?:ref\.?|reference)", False),
    ],
    "date": [
        (r"rechnungsdatum", False),
        (r"invoice\s+date", False),
        (r"gutschriftsdatum", False),
        (r"date\s+(?:de\s+(?:la\s+)?)?(?:facture|l'avoir|d'avoir|avoir)", False),
        (r"factuurdatum|datum\s+factuur", False),
        (r"fecha\s+(?:de\s+(?:la\s+)?)?(?:factura|emisi[óo]n|expedici[óo]n)", False),
        (r"data\s+(?:(?:della\s+)?fattura|documento|emissione)", False),
        (r"date\s+d'[ée]mission", False),
        (r"beleg-?\s?datum", False),
        (r"ausstellungsdatum", False),
        (r"date\s+of\s+issue", False),
        (r"issue\s+date", False),
        (r"issued(?:\s+on|\s+at)?", True),
        (r"datum", False),
        (r"date", False),
        (r"vom", True),
        (r"dated", True),
    ],
    "due_date": [
        (r"fällig(?:keitsdatum|keit)?(?:\s+am)?", False),
        (r"due\s+date", False),
        (r"date\s+d'[ée]ch[ée]ance|[ée]ch[ée]ance", False),
        (r"vervaldatum|vervaldag|uiterste\s+betaaldatum", False),
        (r"(?:fecha\s+de\s+)?vencimiento|(?:data\s+(?:di\s+)?)?scadenza", False),
        (r"(?:please\s+)?remit\s+(?:by|until|before)", True),
        (r"payment\s+due(?:\s+date)?", False),
        (r"zahlbar\s+(?:ohne\s+abzug\s+)?bis(?:\s+zum)?", True),
        (r"payable\s+(?:by|until|before)", True),
        (r"due(?:\s+by|\s+on)?", False),
        (r"pay\s+by", True),
        (r"zahlungsziel", False),
        (r"bis\s+zum", True),
    ],
    "customer_number": [
        (r"kunden-?\s?(?:nummer|nr\.?)", True),
        (r"kd\.?-?\s?nr\.?", True),
        (r"customer\s+(?:no\.?|number|id|#|nr\.?)", True),
        (r"account\s+(?:no\.?|number)", False),
        (r"client\s+(?:no\.?|number|id)", False),
        (r"debitor(?:en)?-?\s?nr\.?", False),
        (r"(?:n°|num[ée]ro|code)\s+client|client\s+n°|klant(?:nummer|nr\.?)|"
         r"n[úu]mero\s+de\s+cliente|n[º°]\s+cliente|codice\s+cliente", True),
    ],
    "order_number": [
        (r"bestell-?\s?(?:nummer|nr\.?)", True),
        (r"bestellung(?:\s+nr\.?)?(?:\s+(?:des\s+)?kunden?)?", False),
        (r"(?:votre|v/)\s*(?:référence|commande|réf\.?)|(?:n°|numéro)\s+de\s+commande|"
         r"bon\s+de\s+commande|référence\s+commande", False),
        (r"(?:uw\s+)?(?:bestel|order|inkooporder)(?:nummer|nr\.?|referentie)|uw\s+referentie",
         False),
        (r"(?:n[úu]mero\s+de\s+)?pedido|su\s+pedido|orden\s+de\s+compra", False),
        (r"(?:numero\s+)?ordine|vs\.?\s+ordine|ordine\s+d'acquisto", False),
        (r"ihre\s+bestellung(?:\s+nr\.?)?", False),
        (r"auftrags-?\s?(?:nummer|nr\.?)", True),
        (r"(?:purchase\s+)?order\s+(?:no\.?|number|#)", True),
        (r"p\.?\s?o\.?\s?(?:#|no\.?|number)", True),
        (r"purchase\s+order", False),
        (r"your\s+order", False),
        (r"order\s+ref(?:erence)?", False),
    ],
    "order_confirmation_number": [
        (r"auftragsbestätigung(?:s-?\s?(?:nummer|nr\.?))?", True),
        (r"ab-?\s?nr\.?|auftrag-?nr-?lief\.?", False),
        (r"(?:order|sales\s+order)\s+confirmation(?:\s+(?:no\.?|number|#))?", True),
        (r"sales\s+order(?:\s+(?:no\.?|number|#))?", False),
        (r"confirmation\s+de\s+commande|orderbevestiging|conferma\s+d'ordine|"
         r"confirmaci[óo]n\s+de\s+pedido", True),
    ],
    "delivery_note_number": [
        (r"lieferschein(?:-?\s?(?:nummer|nr\.?))?(?:\s*/\s*-?datum)?", True),
        (r"lieferavis|liefernachweis|lieferung\s+nr\.?", True),
        (r"delivery\s+note(?:\s+(?:no\.?|number|#))?|despatch\s+(?:advice|notice)|"
         r"dispatch\s+(?:note|notice)|packing\s+slip", True),
        (r"bon\s+de\s+livraison|bl\s+n°|pakbon|afleverbon|leveringsbon|albar[áa]n|"
         r"documento\s+di\s+trasporto|ddt|bolla(?:\s+di\s+consegna)?", True),
    ],
    "service_period": [
        (r"(?:leistungs|abrechnungs|berechnungs|liefer)zeitraum", True),
        (r"(?:billing|service|invoice|invoicing)\s+period", True),
        (r"p[ée]riode(?:\s+de\s+(?:facturation|prestation))?|(?:factuur)?periode|"
         r"periodo(?:\s+de\s+facturaci[óo]n|\s+di\s+fatturazione)?", False),
        (r"zeitraum|period", False),
    ],
    "discount_amount": [
        (r"gesamtbetrag\s+der\s+abschläge|summe\s+(?:der\s+)?(?:abschläge|rabatte|nachlässe)|"
         r"total\s+allowances", False),
        (r"(?:rechnungs)?rabatt|nachlass|(?:total\s+)?discount|allowances?(?:\s+total)?|"
         r"remise|korting|descuento|sconto", False),
    ],
    "additional_cost": [
        (r"gesamtbetrag\s+der\s+zuschläge|summe\s+(?:der\s+)?zuschläge", False),
        (r"zuschlag|versandkosten|versand|fracht(?:kosten)?|porto|verpackung|"
         r"shipping(?:\s+(?:and|&)\s+handling)?|freight|delivery\s+charge|charges?(?:\s+total)?|"
         r"frais\s+de\s+(?:port|livraison)|verzendkosten|gastos\s+de\s+env[íi]o|"
         r"spese\s+di\s+(?:spedizione|trasporto)", False),
    ],
    "payment_reference": [
        (r"verwendungszweck", True),
        (r"referenz\s*\(bitte\s+bei\s+zahlung\s+angeben\)|bei\s+zahlung\s+(?:bitte\s+)?angeben",
         True),
        (r"communication(?:\s+structurée)?|référence\s+(?:de\s+)?paiement|"
         r"betalingskenmerk|betalingsreferentie|referencia\s+de\s+pago|causale", True),
        (r"zahlungsreferenz", True),
        (r"payment\s+reference", True),
        # EN 16931 BT-83; hyphenated in a narrow label column: "Remittance informati-" / "on:"
        (r"remittance\s+informati(?:on|-)?", True),
        (r"quoting(?:\s+reference)?", True),
        (r"please\s+quote", True),
    ],
    "net_amount": [
        (r"nettobetrag", False),
        (r"(?:rechnungs|gutschrifts)?summe\s+ohne\s+(?:ust|mwst|umsatzsteuer)\.?", False),
        (r"total\s*(?:ht|hors\s+tax(?:e|es)?)", True),  # OCR: "TotalHT"
        (r"montant\s+(?:total\s+)?(?:ht|hors\s+tax(?:e|es)?)", True),
        (r"(?:totaal|subtotaal|bedrag)\s+excl\.?(?:\s+btw)?", False),
        (r"(?:rechnungs|gesamt)?summe\s+netto|gesamtbetrag\s+netto", False),
        (r"netto(?:summe|betrag)?", False),
        (r"gesamt\s+netto", False),
        (r"warenwert", False),
        (r"zwischensumme", False),
        # the sum of the line net amounts (EN 16931 BT-106; XRechnung's visualization, whose
        # German totals call net and gross alike 'Gesamtsumme'). Not its English 'Total invoice
        # line net amount': beside 'Total amount' (net) and 'Total' (gross) it made net + a
        # wrong tax (the charges) = 'Total amount' on invoices with charges.
        (r"summe\s+aller\s+positionen", False),
        (r"sub-?\s?total", False),
        (r"net\s+(?:total|amount|amout)", False),
        (r"sous-?\s?total(?:\s+ht)?", False),
        (r"subtotaal", False),
        (r"base\s+imponible|(?:totale\s+)?imponibile", False),
        (r"total\s+net", False),
        (r"total\s+(?:excl\.?|excluding|before)", False),
        (r"goods\s+total", False),
        (r"amount\s+before\s+tax", False),
    ],
    "tax_amount": [
        (r"summe\s+(?:ust|mwst|umsatzsteuer)\.?", False),
        (r"total\s+(?:vat|tax)", False),
        (r"(?:vat|tax)\s+total", False),
        (r"total\s+(?:des\s+)?(?:taxes|tva)", True),
        (r"montant\s+(?:de\s+la\s+|total\s+)?tva", True),
        (r"steuerbetrag|umsatzsteuerbetrag|mwst\.?-?betrag", False),
        (r"(?:totaal\s+)?btw(?:-?bedrag)?", False),
        (r"(?:cuota\s+|total\s+|totale\s+)?iva|imposta", False),
        (
            r"(?:zzgl\.?\s+|zuzügl\.?\s+|zuzüglich\s+|inkl\.?\s+|enth\.?\s+)?"
            r"(?:\d{1,2}(?:[.,]\d{1,2})?\s*%\s*)?"
            r"(?:ust|mwst|umsatzsteuer|mehrwertsteuer)",
            False,
        ),
        (r"(?:sales\s+)?(?:vat|tax|gst)", False),
        (r"tva", False),
    ],
    "gross_amount": [
        (r"total\s*ttc|montant\s+(?:total\s+)?ttc|montant\s+total\s+brut|total\s+brut", True),
        (r"bruttosumme|gutschriftsbetrag", False),
        (r"summe\s+inkl\.?\s+(?:ust|mwst|umsatzsteuer)\.?", False),
        (r"(?:totaal|bedrag)\s+incl\.?(?:\s+btw)?|totaalbedrag|factuurbedrag", False),
        (r"total\s+(?:de\s+la\s+)?factura|importe\s+total|totale\s+(?:fattura|documento)",
         False),
        (r"gesamtbetrag(?!\s+(?:der\s+(?:zu|ab)|netto))", False),
        (r"rechnungsbetrag", False),
        (r"bruttobetrag", False),
        (r"endbetrag", False),
        (r"gesamtsumme", False),
        (r"(?:rechnungs|gesamt)?summe\s+brutto", False),
        (r"brutto", False),
        (r"grand\s+total|gross\s+(?:total\s+)?amount|total\s+gross", False),
        (r"invoice\s+total", False),
        (r"total\s+amount", False),
        (r"total\s+(?:incl\.?|including)", False),
        (r"gesamt", False),
        (r"total", False),
        (r"summe", False),
    ],
    "due_payable_amount": [
        (r"zu\s+zahlen(?:der\s+betrag)?", False),
        (r"zahlbetrag", False),
        (r"f[äa]lliger\s+betrag", False),
        (r"(?:net|montant|reste|solde)\s+[àa]\s+payer|[àa]\s+payer", True),
        (r"te\s+betalen(?:\s+bedrag)?", True),
        (r"total\s+a\s+pagar|(?:netto|totale)\s+(?:a|da)\s+pagare", True),
        (r"due\s+payable", False),
        (r"residual(?:\s+amount)?|reste\s+d[ûu]", False),
        (r"offener\s+betrag", False),
        (r"restbetrag", False),
        (r"noch\s+zu\s+zahlen", False),
        (r"amount\s+due", False),
        (r"balance\s+due", False),
        (r"total\s+due", False),
        (r"amount\s+payable", False),
        (r"balance", False),
    ],
    "phone": [(r"(?:tel(?:efon)?\.?|phone|fon|t)", True)],
    "tax_number": [
        (r"steuer-?\s?(?:nummer|nr\.?)", True),
        (r"st\.?-?\s?nr\.?", True),
        (r"tax\s+(?:no\.?|number)", True),
    ],
    # 'BIC', 'SWIFT/BIC code', 'Verkäufer-BIC' (XRechnung's visualisation)
    "bic": [(r"(?:[^\W\d_]+-)?(?:bic|swift)(?:\s?/\s?(?:bic|swift))?(?:\s+code)?", True)],
}

PAYMENT_WORDS: dict[str, str] = {
    r"überweis|bank\s*transfer|wire\s+transfer|bacs|virement|overschrijving|overmaking":
        "money_transfer",
    r"lastschrift|direct\s+debit|bankeinzug|prélèvement|prelevement|incasso": "bank_collection",
    r"kreditkarte|credit\s*cards?|by\s+card|\bcard\s+is|\bvisa\b|mastercard|carte\s+de\s+crédit":
        "credit_card",
    r"\bec-karte|girocard|carte\s+bancaire|\bpinpas|bankkaart": "card",
    r"paypal": "paypal",
    r"amazon\s+pay": "amazon",
    r"vorkasse|\bprepayment|paiement\s+anticipé": "prepayment",
    r"\bcheques?\b|\bchecks\b|by\s+check|\bscheck\b|\bchèque": "other",
    r"barzahlung|\bin\s+bar\b|\bcash\b|espèces|\bcontant\b": "cash",
}

