{#-
  The provenance columns of a row landed from an inbox file whose rows may not name their source:
  the file's own values where it gives them, else `<label> <file>` as source, and `reported`
  (`claimed` for synthetic rows) as confidence; `as_of` is the SQL expression given.
-#}
{% macro inbox_file_provenance(label, as_of) -%}
    dataset,
    coalesce(source_name, '{{ label }} ' || _source_file) as source_name,
    source_url,
    {{ as_of }} as as_of,
    coalesce(confidence, case dataset when 'synthetic' then 'claimed' else 'reported' end) as confidence,
    _source_file
{%- endmacro %}

{#-
  Aggregates of the provenance of a group of rows of `alias`: the dataset and confidence of the
  group (alphabetical order ranks them: max(dataset) is synthetic if any row is, min(confidence)
  the weakest, claimed < estimated < reported) and the lists of its sources and addresses.
-#}
{% macro provenance_of_group(alias) -%}
    max({{ alias }}.dataset) as dataset,
    min({{ alias }}.confidence) as confidence,
    list(distinct {{ alias }}.source_name) as source_names,
    list(distinct {{ alias }}.source_url) filter (where {{ alias }}.source_url is not null) as source_urls
{%- endmacro %}
